namespace AgentIM.Gateway;

/// <summary>Resolves and checks an agent's working directory: <c>~</c> expanded, relative paths from the current folder.</summary>
public static class WorkingDirectories
{
    /// <summary>The full path (null when none is set), or the one-line reason it cannot be used.</summary>
    public static (string? Path, string? Error) Resolve(string? directory)
    {
        if (string.IsNullOrEmpty(directory))
        {
            return (null, null);
        }

        if (directory.Contains('\0', StringComparison.Ordinal))
        {
            return (null, "The working directory is not a valid path");
        }

        var home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var expanded = directory == "~" ? home
            : directory.StartsWith("~/", StringComparison.Ordinal) ? System.IO.Path.Combine(home, directory[2..])
            : directory;
        var full = System.IO.Path.GetFullPath(expanded);
        return Directory.Exists(full) ? (full, null) : (null, $"The working directory {directory} does not exist or is not a directory");
    }
}
