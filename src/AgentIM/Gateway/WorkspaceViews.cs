using System.Text;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>
/// What the hub may see of an agent's working directory (gateway-cli.md §5 <c>request_workspace</c>, §6 step 6):
/// a git summary, a directory listing and a file's content. Every path stays inside the working directory, symbolic
/// links included; files that look like secrets are refused. Each view returns the <c>response</c> object of
/// <c>gateway:workspace_response</c> (websocket.md §6); the field names are the contract's.
/// </summary>
public static class WorkspaceViews
{
    /// <summary>Entries of one listing; the rest are left out.</summary>
    public const int MaxTreeEntries = 1_000;

    /// <summary>Bytes of a file shown; larger files are cut and marked truncated.</summary>
    public const int MaxFileBytes = 500 * 1024;

    /// <summary>Bytes looked at for a NUL to tell a binary file.</summary>
    private const int BinaryProbeBytes = 8 * 1024;

    private const int RecentCommits = 5;

    /// <summary>Path parts that mark a file as a secret (matched without regard to case).</summary>
    private static readonly string[] SecretMarkers = [".env", "secret", "credential", "password"];

    private static readonly string[] SecretExtensions = [".pem", ".key"];

    /// <summary>
    /// The git summary of <paramref name="directory"/>: branch, changed files with line counts, totals and recent
    /// commits; outside a repository an empty summary on branch <c>unknown</c>. Null data with the reason when git
    /// could not tell.
    /// </summary>
    public static async Task<(JsonObject? Status, bool IsRepository, string? Error)> GitStatusAsync(
        string directory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var inside = await GitCommand.RunAsync(directory, ["rev-parse", "--is-inside-work-tree"], timeout, cancellationToken);
        if (inside.Error is { } error)
        {
            return (null, false, error);
        }

        if (!inside.Succeeded || inside.Output.Trim() != "true")
        {
            return (Summary("unknown", [], null), false, null);
        }

        var branch = await GitCommand.RunAsync(directory, ["branch", "--show-current"], timeout, cancellationToken);
        var status = await GitCommand.RunAsync(
            directory, ["status", "--porcelain=v1", "-z", "--untracked-files=all"], timeout, cancellationToken);
        if (status.Error is not null || !status.Succeeded)
        {
            return (null, true, status.Error ?? "git status failed");
        }

        var counts = await GitCommand.RunAsync(
            directory, ["diff", "--numstat", "-z", "--no-ext-diff", "--no-textconv", "HEAD"], timeout, cancellationToken);
        var log = await GitCommand.RunAsync(
            directory, ["log", $"-{RecentCommits}", "--format=%h%x09%s"], timeout, cancellationToken);
        var name = branch.Succeeded && branch.Output.Trim() is { Length: > 0 } b ? b : "HEAD";
        var files = ChangedFiles(status.Output, counts.Succeeded ? LineCounts(counts.Output) : []);
        var commits = log.Succeeded ? Commits(log.Output) : null;
        return (Summary(name, files, commits), true, null);
    }

    /// <summary>The entries of a folder of the working directory: folders first, then files, by name; <c>.git</c> hidden.</summary>
    public static JsonObject Tree(string root, string? path)
    {
        var shown = string.IsNullOrEmpty(path) ? "." : path;
        if (Inside(root, shown) is not { } full)
        {
            return Error("The path is outside the working directory");
        }

        if (!Directory.Exists(full))
        {
            return Error("No such directory");
        }

        var directory = new DirectoryInfo(full);
        var entries = new JsonArray();
        try
        {
            var all = directory.EnumerateFileSystemInfos()
                .Where(e => e.Name != ".git")
                .OrderBy(e => e is DirectoryInfo ? 0 : 1)
                .ThenBy(e => e.Name, StringComparer.Ordinal)
                .Take(MaxTreeEntries);
            foreach (var entry in all)
            {
                var item = new JsonObject { ["name"] = entry.Name, ["type"] = entry is DirectoryInfo ? "directory" : "file" };
                if (entry is FileInfo file)
                {
                    item["size"] = file.Length;
                }

                entries.Add((JsonNode)item);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error("The directory cannot be read");
        }

        return new JsonObject { ["kind"] = "tree", ["path"] = shown, ["entries"] = entries };
    }

    /// <summary>A file of the working directory: up to 500 KiB of text, <c>[Binary file]</c> for binaries.</summary>
    public static async Task<JsonObject> FileAsync(string root, string? path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path))
        {
            return Error("A file path is required");
        }

        if (Inside(root, path) is not { } full)
        {
            return Error("The path is outside the working directory");
        }

        if (LooksSecret(Path.GetRelativePath(root, full)) || LooksSecret(path))
        {
            return Error("This file may hold secrets and is not shared");
        }

        if (!File.Exists(full))
        {
            return Error("No such file");
        }

        try
        {
            await using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 16 * 1024, useAsync: true);
            var size = stream.Length;
            var buffer = new byte[(int)Math.Min(size, MaxFileBytes)];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            var binary = buffer.AsSpan(0, Math.Min(read, BinaryProbeBytes)).Contains((byte)0);
            var content = binary ? "[Binary file]" : Encoding.UTF8.GetString(buffer, 0, read);
            return new JsonObject
            {
                ["kind"] = "file",
                ["path"] = path,
                ["content"] = content,
                ["size"] = size,
                ["truncated"] = size > read,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error("The file cannot be read");
        }
    }

    public static JsonObject Error(string message) => new() { ["kind"] = "error", ["message"] = message };

    /// <summary>
    /// The full path of <paramref name="path"/> (relative to <paramref name="root"/>) with every symbolic link
    /// followed, or null when it leads outside the root.
    /// </summary>
    public static string? Inside(string root, string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(path))
        {
            return null;
        }

        var realRoot = RealPath(Path.GetFullPath(root), 0);
        var full = RealPath(Path.GetFullPath(Path.Combine(realRoot, path)), 0);
        var relative = Path.GetRelativePath(realRoot, full);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative)) ? full : null;
    }

    private static bool LooksSecret(string path)
    {
        var lower = path.ToLowerInvariant();
        return SecretMarkers.Any(m => lower.Contains(m, StringComparison.Ordinal))
            || SecretExtensions.Any(e => lower.EndsWith(e, StringComparison.Ordinal));
    }

    /// <summary>Follows symbolic links component by component (what realpath does), for paths that may not exist.</summary>
    private static string RealPath(string full, int depth)
    {
        if (depth > 40)
        {
            return full;
        }

        var current = "/";
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target)
            {
                next = RealPath(Path.GetFullPath(target, current), depth + 1);
            }

            current = next;
        }

        return current;
    }

    private static JsonObject Summary(string branch, List<JsonObject> files, JsonArray? commits)
    {
        var summary = new JsonObject
        {
            ["branch"] = branch,
            ["changedFiles"] = new JsonArray([.. files]),
            ["summary"] = new JsonObject
            {
                ["filesChanged"] = files.Count,
                ["additions"] = files.Sum(f => f["additions"]?.GetValue<int>() ?? 0),
                ["deletions"] = files.Sum(f => f["deletions"]?.GetValue<int>() ?? 0),
            },
        };
        if (commits is { Count: > 0 })
        {
            summary["recentCommits"] = commits;
        }

        return summary;
    }

    /// <summary>Reads <c>git status --porcelain=v1 -z</c>: <c>XY path</c>, and for renames the old path after it.</summary>
    private static List<JsonObject> ChangedFiles(string porcelain, Dictionary<string, (int Added, int Deleted)> counts)
    {
        var files = new List<JsonObject>();
        var fields = porcelain.Split('\0');
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (field.Length < 4)
            {
                continue;
            }

            var code = field[..2];
            var path = field[3..];
            var status = code.Contains('R') ? "renamed"
                : code.Contains('D') ? "deleted"
                : code == "??" || code.Contains('A') ? "added"
                : "modified";
            if (code.Contains('R') || code.Contains('C'))
            {
                i++;
            }

            var file = new JsonObject { ["path"] = path, ["status"] = status };
            if (counts.TryGetValue(path, out var count))
            {
                file["additions"] = count.Added;
                file["deletions"] = count.Deleted;
            }

            files.Add(file);
        }

        return files;
    }

    /// <summary>Reads <c>git diff --numstat -z</c>: <c>added TAB deleted TAB path</c>, renames as an empty path then old and new.</summary>
    private static Dictionary<string, (int Added, int Deleted)> LineCounts(string numstat)
    {
        var counts = new Dictionary<string, (int, int)>();
        var fields = numstat.Split('\0');
        for (var i = 0; i < fields.Length; i++)
        {
            var parts = fields[i].Split('\t');
            if (parts.Length != 3)
            {
                continue;
            }

            var path = parts[2];
            if (path.Length == 0 && i + 2 < fields.Length)
            {
                path = fields[i + 2];
                i += 2;
            }

            // Binary files show "-" for both counts.
            _ = int.TryParse(parts[0], out var added);
            _ = int.TryParse(parts[1], out var deleted);
            counts[path] = (added, deleted);
        }

        return counts;
    }

    private static JsonArray Commits(string log)
    {
        var commits = new JsonArray();
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t');
            commits.Add((JsonNode)new JsonObject
            {
                ["hash"] = tab < 0 ? line : line[..tab],
                ["message"] = tab < 0 ? "" : line[(tab + 1)..],
            });
        }

        return commits;
    }
}
