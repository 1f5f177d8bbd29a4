using System.Buffers;
using System.Text;

namespace AgentIM.Messages;

/// <summary>
/// @mention parsing as decisions.md fixes it: an <c>@</c> opens a mention only at the start of the text or after a
/// character that is not a letter or digit (so <c>ops@dev.example.com</c> mentions nobody); the name is a run of
/// <c>[A-Za-z0-9._-]</c> with trailing <c>.</c>, <c>-</c> and <c>_</c> dropped; names match regardless of case.
/// </summary>
public static class Mentions
{
    public static IReadOnlyList<string> Parse(string content)
    {
        List<string>? names = null;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] != '@' || FollowsLetterOrDigit(content, i))
            {
                continue;
            }

            var end = i + 1;
            while (end < content.Length && IsNameChar(content[end]))
            {
                end++;
            }

            var name = content.AsSpan(i + 1, end - i - 1).TrimEnd("._-");
            if (name.Length > 0)
            {
                names ??= [];
                var text = name.ToString();
                if (!names.Contains(text, StringComparer.OrdinalIgnoreCase))
                {
                    names.Add(text);
                }
            }

            i = end - 1;
        }

        return names ?? (IReadOnlyList<string>)[];
    }

    /// <summary>
    /// Resolves parsed names against what the room holds. Each parsed name picks at most one candidate;
    /// the result keeps the order of first mention and the candidates' own spelling.
    /// </summary>
    public static IReadOnlyList<T> Resolve<T>(
        IReadOnlyList<string> names, IReadOnlyList<T> candidates, Func<T, string> nameOf, Func<T, bool> preferred)
    {
        if (names.Count == 0 || candidates.Count == 0)
        {
            return [];
        }

        var result = new List<T>();
        foreach (var name in names)
        {
            T? best = default;
            var found = false;
            foreach (var candidate in candidates)
            {
                if (string.Equals(nameOf(candidate), name, StringComparison.OrdinalIgnoreCase)
                    && (!found || (!preferred(best!) && preferred(candidate))))
                {
                    best = candidate;
                    found = true;
                }
            }

            if (found && !result.Contains(best!))
            {
                result.Add(best!);
            }
        }

        return result;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    /// <summary>Whether the character before <paramref name="index"/> is a letter or digit, outside the BMP included.</summary>
    private static bool FollowsLetterOrDigit(string content, int index) =>
        index > 0
        && Rune.DecodeLastFromUtf16(content.AsSpan(0, index), out var previous, out _) == OperationStatus.Done
        && Rune.IsLetterOrDigit(previous);
}
