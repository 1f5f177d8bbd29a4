namespace AgentIM.Rooms;

/// <summary>Removes the files behind upload URLs once their rows are gone. Best effort: a file already missing is fine.</summary>
public static class UploadFiles
{
    // Stable: uploads are served under this path (rest-api.md §9.1).
    private const string Prefix = "/uploads/";

    public static void DeleteBestEffort(string uploadDir, IEnumerable<string> urls)
    {
        var root = Path.GetFullPath(uploadDir);
        foreach (var url in urls)
        {
            if (!url.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            // Never follow a stored URL out of the upload directory.
            var path = Path.GetFullPath(Path.Combine(root, url[Prefix.Length..]));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The row is gone either way; a file that cannot be removed now is only disk space.
            }
        }
    }

    /// <summary>Removes every avatar file of a user (<c>avatar_&lt;userId&gt;_*</c>), for a deletion outside the hub.</summary>
    public static void DeleteAvatarsBestEffort(string uploadDir, string userId)
    {
        try
        {
            var prefix = Uploads.UploadStorage.AvatarPrefix(userId);
            var urls = Directory.EnumerateFiles(uploadDir, prefix + "*", SearchOption.TopDirectoryOnly)
                .Select(path => Prefix + Path.GetFileName(path))
                .Where(url => url.StartsWith(Prefix + prefix, StringComparison.Ordinal))
                .ToList();
            DeleteBestEffort(uploadDir, urls);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No upload directory here (or not readable): nothing of theirs to remove.
        }
    }
}
