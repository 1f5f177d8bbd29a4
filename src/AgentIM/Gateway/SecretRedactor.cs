using System.Text.RegularExpressions;

namespace AgentIM.Gateway;

/// <summary>
/// Masks secrets in an agent's error output before it leaves the machine (gateway-cli.md §7.4): API-key-like
/// strings, bearer tokens, JWTs, <c>key=value</c> secrets, the values of secret variables, and home paths.
/// </summary>
public sealed partial class SecretRedactor(IReadOnlyList<string> secretValues, string? home)
{
    public const string Mask = "[REDACTED]";

    public static SecretRedactor FromEnvironment() =>
        new(SecretEnvironment.SecretValues(), Environment.GetEnvironmentVariable("HOME"));

    public string Redact(string text)
    {
        foreach (var value in secretValues)
        {
            text = text.Replace(value, Mask, StringComparison.Ordinal);
        }

        text = KeyValueSecret().Replace(text, m => m.Groups["key"].Value + m.Groups["sep"].Value + Mask);
        text = Bearer().Replace(text, "Bearer " + Mask);
        text = Jwt().Replace(text, Mask);
        text = ApiKey().Replace(text, Mask);
        if (home is { Length: > 1 } && home != "/")
        {
            text = text.Replace(home.TrimEnd('/') + "/", "~/", StringComparison.Ordinal);
        }

        return text;
    }

    [GeneratedRegex(
        @"(?<key>\b[A-Za-z0-9_.-]*(?:secret|password|passwd|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*)"
        + @"(?<sep>\s*[=:]\s*)(?:""[^""]*""|'[^']*'|[^\s,;]+)",
        RegexOptions.IgnoreCase)]
    private static partial Regex KeyValueSecret();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9._~+/=-]{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")]
    private static partial Regex Jwt();

    [GeneratedRegex(
        @"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}"
        + @"|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,})")]
    private static partial Regex ApiKey();
}
