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
}
