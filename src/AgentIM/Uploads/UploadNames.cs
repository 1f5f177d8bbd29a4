using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentIM.Uploads;

/// <summary>
/// Names around a stored file (case B14). Stored names are the hub's own: the upload's id (21 characters of
/// <c>[A-Za-z0-9_]</c>) and the extension of its checked type, so nothing a client sends reaches a path. The client's
/// file name is kept only as display metadata, cleaned here, and leaves the hub again only inside a
/// <c>Content-Disposition</c> header built by <see cref="ContentDisposition"/>.
/// </summary>
public static class UploadNames
{
    /// <summary>Longest display name kept, in UTF-16 units; longer names are cut, keeping a short extension.</summary>
    public const int MaxDisplayLength = 200;

    /// <summary>What an empty or fully stripped name becomes.</summary>
    public const string Fallback = "file";

    // Stable: stored names, upload ids and URLs use this alphabet (data-model.md §1: no '-').
    private const string StoredAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";

    /// <summary>A fresh upload id; with the extension appended it is also the stored file name.</summary>
    public static string NewId() => RandomNumberGenerator.GetString(StoredAlphabet, 21);

    /// <summary>Whether <paramref name="name"/> has the shape of an upload's stored name (<c>id.ext</c>).</summary>
    public static bool TryGetUploadId(string name, out string id)
    {
        id = "";
        if (name.Length < 23 || name[21] != '.')
        {
            return false;
        }

        foreach (var c in name.AsSpan(0, 21))
        {
            if (StoredAlphabet.IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        id = name[..21];
        return true;
    }

    /// <summary>
    /// The client's file name made safe to keep and show: only its last path component, no control, bidi or
    /// line-separator characters, no lone surrogates, no run of dots (so never <c>..</c>), no leading dot or space,
    /// at most <see cref="MaxDisplayLength"/> units. Ordinary names, whatever their script, come back unchanged.
    /// </summary>
    public static string CleanDisplayName(string? original)
    {
        if (string.IsNullOrEmpty(original))
        {
            return Fallback;
        }

        var lastSeparator = original.LastIndexOfAny(['/', '\\']);
        var baseName = lastSeparator >= 0 ? original[(lastSeparator + 1)..] : original;
        var builder = new StringBuilder(baseName.Length);
        var previousDot = false;
        for (var i = 0; i < baseName.Length; i++)
        {
            if (Rune.DecodeFromUtf16(baseName.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate is dropped; the loop moves on by one unit.
                continue;
            }

            i += consumed - 1;
            if (IsStripped(rune))
            {
                continue;
            }

            var dot = rune.Value == '.';
            if (dot && (previousDot || builder.Length == 0))
            {
                continue;
            }

            previousDot = dot;
            builder.Append(rune.ToString());
        }

        var cleaned = builder.ToString().TrimStart(' ', '.').TrimEnd(' ');
        cleaned = Truncate(cleaned);
        return cleaned.Length == 0 ? Fallback : cleaned;
    }

    /// <summary>
    /// <c>attachment</c> or <c>inline</c> with the name twice (RFC 6266): an ASCII <c>filename</c> in which anything
    /// else, quotes and backslashes become <c>_</c>, and the exact name as <c>filename*=UTF-8''…</c> (RFC 5987).
    /// No character of the name can end the header or start another.
    /// </summary>
    public static string ContentDisposition(bool inline, string displayName)
    {
        var ascii = new StringBuilder(displayName.Length);
        foreach (var c in displayName)
        {
            ascii.Append(c is >= ' ' and <= '~' and not '"' and not '\\' and not '%' ? c : '_');
        }

        var encoded = new StringBuilder(displayName.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(displayName))
        {
            if (IsAttrChar(b))
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return $"{(inline ? "inline" : "attachment")}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}";
    }

    private static bool IsStripped(Rune rune) =>
        Rune.IsControl(rune)
        || rune.Value is >= 0x202A and <= 0x202E // bidi embeddings and overrides
        || rune.Value is >= 0x2066 and <= 0x2069 // bidi isolates
        || rune.Value is 0x200E or 0x200F or 0x061C // directional marks
        || rune.Value is 0x2028 or 0x2029 or 0xFEFF; // line and paragraph separators, BOM

    private static string Truncate(string name)
    {
        if (name.Length <= MaxDisplayLength)
        {
            return name;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var keep = MaxDisplayLength - extension.Length;
        if (char.IsHighSurrogate(name[keep - 1]))
        {
            keep--;
        }

        return name[..keep].TrimEnd(' ', '.') + extension;
    }

    // RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    private static bool IsAttrChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
        || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_'
            or (byte)'`' or (byte)'|' or (byte)'~';
}
