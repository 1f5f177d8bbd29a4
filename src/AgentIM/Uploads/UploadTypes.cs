namespace AgentIM.Uploads;

/// <summary>How a stored file's bytes are checked and, later, served.</summary>
public enum ContentKind
{
    Jpeg,
    Png,
    Gif,
    Webp,
    Pdf,
    Zip,
    Gzip,
    Text,
}

/// <summary>One allowed declared type: the extension its stored name gets and the check its bytes must pass.</summary>
public sealed record AllowedType(string MimeType, string Extension, ContentKind Kind);

/// <summary>
/// The contract's MIME whitelist (rest-api.md §9; SVG, HTML and everything else are refused) and the magic numbers
/// that decide what a file really is. The declared type only selects which check runs; what is stored and served
/// is what the bytes prove.
/// </summary>
public static class UploadTypes
{
    /// <summary>Enough leading bytes to tell every kind apart (WebP needs 16).</summary>
    public const int SniffLength = 16;

    private static readonly Dictionary<string, AllowedType> ByMime = new AllowedType[]
    {
        new("image/jpeg", ".jpg", ContentKind.Jpeg),
        new("image/png", ".png", ContentKind.Png),
        new("image/gif", ".gif", ContentKind.Gif),
        new("image/webp", ".webp", ContentKind.Webp),
        new("application/pdf", ".pdf", ContentKind.Pdf),
        new("application/zip", ".zip", ContentKind.Zip),
        new("application/x-zip-compressed", ".zip", ContentKind.Zip),
        new("application/gzip", ".gz", ContentKind.Gzip),
        new("text/plain", ".txt", ContentKind.Text),
        new("text/markdown", ".md", ContentKind.Text),
        new("text/csv", ".csv", ContentKind.Text),
        new("application/json", ".json", ContentKind.Text),
    }.ToDictionary(t => t.MimeType, StringComparer.Ordinal);

    /// <summary>The declared type of a multipart part, lower-cased and without parameters (<c>; charset=…</c>).</summary>
    public static string Normalize(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "";
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    public static AllowedType? Find(string normalizedMime) => ByMime.GetValueOrDefault(normalizedMime);

    /// <summary>The image kind whose stored extension is <paramref name="extension"/> (<c>.png</c>), or null.</summary>
    public static ContentKind? FindImageByExtension(string extension) =>
        ByMime.Values.FirstOrDefault(t => IsImage(t.Kind) && t.Extension == extension)?.Kind;

    public static bool IsImage(ContentKind kind) => kind is ContentKind.Jpeg or ContentKind.Png or ContentKind.Gif or ContentKind.Webp;

    /// <summary>Whether the leading bytes carry the magic number of <paramref name="kind"/> (text has none: always true).</summary>
    public static bool HeadMatches(ContentKind kind, ReadOnlySpan<byte> head) => kind switch
    {
        ContentKind.Text => true,
        _ => Sniff(head) == kind,
    };

    /// <summary>The binary kind the leading bytes prove, or null when they prove none (text, or anything unknown).</summary>
    public static ContentKind? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ContentKind.Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ContentKind.Png;
        }

        if (head.StartsWith("GIF8"u8))
        {
            return ContentKind.Gif;
        }

        if (head.Length >= 16 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)
            && (head[12..16].SequenceEqual("VP8 "u8) || head[12..16].SequenceEqual("VP8L"u8) || head[12..16].SequenceEqual("VP8X"u8)))
        {
            return ContentKind.Webp;
        }

        if (head.StartsWith("%PDF"u8))
        {
            return ContentKind.Pdf;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]))
        {
            return ContentKind.Zip;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return ContentKind.Gzip;
        }

        return null;
    }

    /// <summary>
    /// The Content-Type a stored file is served with, from its bytes alone: one of the four images, PDF, ZIP, gzip,
    /// otherwise plain text (uploads of the text kinds were checked to be UTF-8 without NUL) or an opaque download.
    /// </summary>
    public static string ServedType(ContentKind? sniffed, bool storedAsText) => sniffed switch
    {
        ContentKind.Jpeg => "image/jpeg",
        ContentKind.Png => "image/png",
        ContentKind.Gif => "image/gif",
        ContentKind.Webp => "image/webp",
        ContentKind.Pdf => "application/pdf",
        ContentKind.Zip => "application/zip",
        ContentKind.Gzip => "application/gzip",
        _ => storedAsText ? "text/plain; charset=utf-8" : "application/octet-stream",
    };
}
