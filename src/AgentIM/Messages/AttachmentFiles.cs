using AgentIM.Infrastructure.Config;

namespace AgentIM.Messages;

/// <summary>
/// Removes the stored files of deleted messages' attachments (behaviour.md §10), best effort: a file already gone or
/// not removable leaves the deletion standing. Only a single file name directly inside UPLOAD_DIR is ever touched,
/// whatever a row's URL says.
/// </summary>
public sealed class AttachmentFiles(HubConfig config, ILogger<AttachmentFiles> logger)
{
    private const string UrlPrefix = "/uploads/";

    public void Remove(IEnumerable<string> urls)
    {
        var root = Path.GetFullPath(config.UploadDir);
        foreach (var url in urls)
        {
            if (ResolveInside(root, url) is not { } path)
            {
                MessagesLog.AttachmentPathRefused(logger);
                continue;
            }

            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                MessagesLog.AttachmentFileNotRemoved(logger, e);
            }
        }
    }

    /// <summary>The file a <c>/uploads/&lt;name&gt;</c> URL names, or null when it would leave <paramref name="root"/>.</summary>
    public static string? ResolveInside(string root, string url)
    {
        if (!url.StartsWith(UrlPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = url[UrlPrefix.Length..];
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(root, name));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal) ? path : null;
    }
}
