using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary>A download as a test reads it: status, body bytes, and response plus content headers in one map.</summary>
public sealed record Download(int Status, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonNode? Json => JsonNode.Parse(Encoding.UTF8.GetString(Body));
}

/// <summary>
/// Multipart uploads written byte by byte, as curl or a browser sends them: the file name goes into the part
/// header exactly as given (raw UTF-8, hostile characters included), which HttpClient's form content would rewrite.
/// </summary>
public static class UploadClient
{
    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 0, 1];
    public static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, .. "JFIF"u8, 0, 1, 1, 0, 0, 1, 0, 1];
    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n");

    public const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"fetch('/api/rooms')\"><script>1</script></svg>";

    public static Task<HttpReply> UploadAsync(
        this Session session, byte[] content, string filename, string? contentType, string path = "/api/upload", string field = "file") =>
        PostMultipartAsync(session.Hub, session.AccessToken, path, Body(content, filename, contentType, field, out var boundary), boundary);

    public static byte[] Body(byte[] content, string filename, string? contentType, string field, out string boundary)
    {
        boundary = "----agentim" + Guid.NewGuid().ToString("N");
        using var body = new MemoryStream();
        var header = new StringBuilder()
            .Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Disposition: form-data; name=\"note\"\r\n\r\nnot the file\r\n")
            .Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Disposition: form-data; name=\"").Append(field).Append("\"; filename=\"").Append(filename).Append("\"\r\n");
        if (contentType is not null)
        {
            header.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        header.Append("\r\n");
        body.Write(Encoding.UTF8.GetBytes(header.ToString()));
        body.Write(content);
        body.Write(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        return body.ToArray();
    }

    public static async Task<HttpReply> PostMultipartAsync(HubFixture hub, string? token, string path, byte[] body, string boundary)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await hub.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            parsed = JsonValue.Create(text);
        }

        return new HttpReply((int)response.StatusCode, parsed, response.Headers);
    }

    /// <summary>GET of a raw path (sent as written, no normalisation of dots or escapes), with an optional bearer token.</summary>
    public static async Task<Download> DownloadAsync(this HubFixture hub, string rawPath, string? token)
    {
        var uri = new Uri(hub.BaseAddress.GetLeftPart(UriPartial.Authority) + rawPath, UriKind.Absolute);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await hub.Http.SendAsync(request);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }

        return new Download((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(), headers);
    }

    /// <summary>The names of the files in <paramref name="directory"/>, hidden ones included.</summary>
    public static string[] FilesIn(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order().ToArray()!;

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Filled(byte[] head, int size)
    {
        var bytes = new byte[size];
        head.CopyTo(bytes, 0);
        Random.Shared.NextBytes(bytes.AsSpan(head.Length));
        return bytes;
    }
}
