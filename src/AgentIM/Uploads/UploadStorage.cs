using AgentIM.Infrastructure.Config;

namespace AgentIM.Uploads;

/// <summary>
/// The files under UPLOAD_DIR (behaviour.md §10). Flat layout: <c>&lt;id&gt;&lt;ext&gt;</c> for uploads,
/// <c>avatar_&lt;userId&gt;_&lt;epochMs&gt;&lt;ext&gt;</c> for avatars, and hidden <c>.upload-*.part</c> files while an upload
/// is being received (renamed into place only once complete and checked). Every path is built here and checked to
/// stay inside the root; nothing a client sends becomes part of one.
/// </summary>
public sealed class UploadStorage(HubConfig config, ILogger<UploadStorage> logger)
{
    // Stable: uploads are served under this path (rest-api.md §9.1).
    public const string UrlPrefix = "/uploads/";

    private const string TempPrefix = ".upload-";
    private const string TempSuffix = ".part";
    private const int MaxSegments = 4;

    public string Root { get; } = Path.GetFullPath(config.UploadDir);

    /// <summary>A fresh hidden file name for an upload in progress.</summary>
    public string NewTempPath() => Path.Combine(Root, TempPrefix + UploadNames.NewId() + TempSuffix);

    /// <summary>The path of a stored file name the hub generated itself.</summary>
    public string PathOf(string storedName) => Path.Combine(Root, storedName);

    /// <summary>
    /// The regular file a <c>/uploads/…</c> request names, or null. Each segment must look like a name the hub
    /// writes (<c>[A-Za-z0-9_][A-Za-z0-9_.-]*</c>: no <c>..</c>, no hidden or partial files, nothing encoded), the
    /// result must stay inside the root, and neither a directory nor a symbolic link is ever served.
    /// </summary>
    public string? ResolveServed(string relative)
    {
        var segments = relative.Split('/');
        if (segments.Length is 0 or > MaxSegments || !segments.All(IsPlainSegment))
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine([Root, .. segments]));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return null;
        }

        var current = Root;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                return null;
            }
        }

        return File.Exists(path) && !Directory.Exists(path) ? path : null;
    }

    /// <summary>Removes the files behind <c>/uploads/&lt;name&gt;</c> URLs, best effort; a URL that leaves the root is ignored.</summary>
    public void DeleteUrls(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!url.StartsWith(UrlPrefix, StringComparison.Ordinal) || ResolveServed(url[UrlPrefix.Length..]) is not { } path)
            {
                continue;
            }

            TryDelete(path);
        }
    }

    /// <summary>Removes a user's avatar files except <paramref name="keep"/> (the one just stored), best effort.</summary>
    public void DeleteAvatars(string userId, string? keep)
    {
        var prefix = AvatarPrefix(userId);
        try
        {
            foreach (var path in Directory.EnumerateFiles(Root, prefix + "*", SearchOption.TopDirectoryOnly))
            {
                var name = Path.GetFileName(path);
                if (name.StartsWith(prefix, StringComparison.Ordinal) && name != keep)
                {
                    TryDelete(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            UploadsLog.FileNotRemoved(logger, e);
        }
    }

    /// <summary>Removes partial files left by a crash that are older than <paramref name="age"/>; returns how many.</summary>
    public int DeleteStaleTempFiles(TimeSpan age)
    {
        var removed = 0;
        var cutoff = DateTime.UtcNow - age;
        foreach (var path in Directory.EnumerateFiles(Root, TempPrefix + "*" + TempSuffix, SearchOption.TopDirectoryOnly))
        {
            if (File.GetLastWriteTimeUtc(path) < cutoff && TryDelete(path))
            {
                removed++;
            }
        }

        return removed;
    }

    public static string AvatarPrefix(string userId) => $"avatar_{userId}_";

    public bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            UploadsLog.FileNotRemoved(logger, e);
            return false;
        }
    }

    private static bool IsPlainSegment(string segment)
    {
        if (segment.Length is 0 or > 255 || !IsNameChar(segment[0]) || segment[0] is '.' or '-')
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';
}
