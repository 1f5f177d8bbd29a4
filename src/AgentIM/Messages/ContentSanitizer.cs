using System.Text;
using System.Text.RegularExpressions;

namespace AgentIM.Messages;

/// <summary>
/// Server-side cleaning of user text (behaviour.md §9). The web client renders safely on its own; this removes
/// active blocks and handlers so stored text is inert for any other reader, and removes what PostgreSQL cannot
/// store (NUL) or what is not text (lone UTF-16 surrogates become U+FFFD), the same way on every path (case B17).
/// The patterns run on the non-backtracking engine: a 100,000-character message cannot make them slow.
/// </summary>
public static partial class ContentSanitizer
{
    /// <summary>Message text, task descriptions: markdown and prose stay, active HTML goes.</summary>
    public static string SanitizeContent(string content)
    {
        var text = CleanCodeUnits(content);
        if (text.IndexOf('<') < 0)
        {
            return text;
        }

        string previous;
        do
        {
            previous = text;
            text = ActiveBlock().Replace(text, "");
            text = EmbedTag().Replace(text, "");
        }
        while (text != previous);

        return OpeningTag().Replace(text, static tag =>
        {
            var cleaned = EventHandlerAttribute().Replace(tag.Value, "${sep}");
            return DangerousUrlAttribute().Replace(cleaned, static a => $"{a.Groups["name"].Value}=\"\"");
        });
    }

    /// <summary>
    /// Names (rooms, display names, task titles): no markup at all, entities decoded first so none sneaks back. Nor
    /// anything that makes a name look like something else: control characters (a tab or line break becomes a space)
    /// and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that let "admin",
    /// U+202E, "gnp.exe" read as "adminexe.png". The plain direction marks (LRM, RLM, ALM) stay for right-to-left names.
    /// </summary>
    public static string SanitizeText(string value)
    {
        var text = WithoutControls(CleanCodeUnits(value));
        string previous;
        do
        {
            previous = text;
            text = text.Replace("&lt;", "<", StringComparison.Ordinal)
                .Replace("&gt;", ">", StringComparison.Ordinal)
                .Replace("&quot;", "\"", StringComparison.Ordinal)
                .Replace("&#x27;", "'", StringComparison.Ordinal)
                .Replace("&amp;", "&", StringComparison.Ordinal);
            text = AnyTag().Replace(text, "");
        }
        while (text != previous);

        return SanitizeContent(text).Trim();
    }

    private static string WithoutControls(string value)
    {
        var at = value.AsSpan().IndexOfAny(NameControls);
        if (at < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        builder.Append(value, 0, at);
        foreach (var c in value.AsSpan(at))
        {
            if (c is '\t' or '\n' or '\r')
            {
                builder.Append(' ');
            }
            else if (!NameControls.Contains(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> NameControls = System.Buffers.SearchValues.Create(
        "\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F"
        + "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>Drops NUL and replaces unpaired surrogates with U+FFFD; returns the same instance when nothing changes.</summary>
    public static string CleanCodeUnits(string value)
    {
        var needsWork = false;
        for (var i = 0; i < value.Length && !needsWork; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                needsWork = true;
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else
                {
                    needsWork = true;
                }
            }
            else if (char.IsLowSurrogate(c))
            {
                needsWork = true;
            }
        }

        if (!needsWork)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex(
        @"<script\b[^>]*>.*?</script\s*>|<iframe\b[^>]*>.*?</iframe\s*>|<object\b[^>]*>.*?</object\s*>"
        + @"|<form\b[^>]*>.*?</form\s*>|<svg\b[^>]*>.*?</svg\s*>|<math\b[^>]*>.*?</math\s*>",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex ActiveBlock();

    [GeneratedRegex(@"<embed\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex EmbedTag();

    // A quoted attribute value may hold '>' without ending the tag (<img alt=">" onerror=…>); a quote that does not
    // open a value (it's) is an ordinary character, as browsers read it.
    [GeneratedRegex(@"<[a-zA-Z](?:[^>""'=]|=\s*""[^""]*""|=\s*'[^']*'|=|[""'])*>",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex OpeningTag();

    // Browsers also take '/' or a closing quote as the end of the previous attribute (<img/onerror=…>,
    // <img src="x"onerror=…>); that separator is kept, whitespace goes with the attribute.
    [GeneratedRegex(@"(?:\s+|(?<sep>[/""']))on[a-z]+\s*=\s*(""[^""]*""|'[^']*'|[^\s>]+)",
        RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex EventHandlerAttribute();

    [GeneratedRegex(
        @"(?<name>href|src|action|formaction)\s*=\s*"
        + @"(""\s*(javascript|vbscript|data):[^""]*""|'\s*(javascript|vbscript|data):[^']*'|(javascript|vbscript|data):[^\s>]*)",
        RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex DangerousUrlAttribute();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex AnyTag();
}
