namespace AgentIM.Infrastructure.Config;

/// <summary>
/// Reads KEY=VALUE lines (the systemd EnvironmentFile format) and merges them under the real environment:
/// a variable set in the process environment wins over the file.
/// </summary>
public static class EnvFile
{
    public static IReadOnlyDictionary<string, string> Load(string? path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is not null)
        {
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                if (line.StartsWith("export ", StringComparison.Ordinal))
                {
                    line = line["export ".Length..].TrimStart();
                }

                var eq = line.IndexOf('=');
                if (eq <= 0)
                {
                    throw new ConfigException(path, $"has a line without KEY=VALUE: '{line}'");
                }

                result[line[..eq].Trim()] = Unquote(line[(eq + 1)..].Trim());
            }
        }

        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return result;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
