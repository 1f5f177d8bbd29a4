using System.Text;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary>
/// <c>POST /api/upload</c> and <c>GET /uploads/*</c> (rest-api.md §9, §9.1) against real files in the hub's own
/// temporary UPLOAD_DIR: the contract's shapes and errors, the whitelist decided by bytes, limits that leave no
/// partial file, and download headers that never let a browser run a file.
/// </summary>
public sealed class UploadRoutesTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private string UploadDir => hub.Config.UploadDir;

    [Fact]
    public async Task Upload_TextFile_StoredUnderGeneratedNameAndServedAsAttachment()
    {
        var user = await TestUsers.SharedAsync(hub);

        var reply = await user.UploadAsync(UploadClient.Text("hello, file"), "notes.txt", "text/plain; charset=utf-8");

        Assert.Equal(200, reply.Status);
        var data = reply.Data;
        var id = data["id"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9_]{21}$", id);
        Assert.Equal("notes.txt", data["filename"]!.GetValue<string>());
        Assert.Equal("text/plain", data["mimeType"]!.GetValue<string>());
        Assert.Equal(11, data["size"]!.GetValue<long>());
        Assert.Equal($"/uploads/{id}.txt", data["url"]!.GetValue<string>());
        Assert.Equal("hello, file", await File.ReadAllTextAsync(Path.Combine(UploadDir, $"{id}.txt")));
        Assert.DoesNotContain(UploadClient.FilesIn(UploadDir), n => n.EndsWith(".part", StringComparison.Ordinal));
        const string Row = "SELECT count(*) FROM message_attachments "
            + "WHERE id = $1 AND message_id IS NULL AND uploaded_by = $2 AND size = 11";
        Assert.Equal(1, await TestSql.CountAsync(hub, Row, id, user.UserId));

        var download = await hub.DownloadAsync(data["url"]!.GetValue<string>(), user.AccessToken);

        Assert.Equal(200, download.Status);
        Assert.Equal("hello, file", Encoding.UTF8.GetString(download.Body));
        Assert.Equal("text/plain; charset=utf-8", download.Header("Content-Type"));
        Assert.StartsWith("attachment;", download.Header("Content-Disposition"));
        Assert.Contains("filename*=UTF-8''notes.txt", download.Header("Content-Disposition"));
        AssertSafeHeaders(download);
    }

    [Fact]
    public async Task Upload_Png_ServedInlineAsImage()
    {
        var user = await TestUsers.SharedAsync(hub);
        var png = UploadClient.Filled(UploadClient.Png, 4096);

        var reply = await user.UploadAsync(png, "pic.png", "image/png");
        var download = await hub.DownloadAsync(reply.Data["url"]!.GetValue<string>(), user.AccessToken);

        Assert.Equal(200, download.Status);
        Assert.Equal(png, download.Body);
        Assert.Equal("image/png", download.Header("Content-Type"));
        Assert.StartsWith("inline;", download.Header("Content-Disposition"));
        AssertSafeHeaders(download);
    }

    [Theory]
    [InlineData("text/html", "<html><body>x</body></html>")]
    [InlineData("image/svg+xml", UploadClient.Svg)]
    [InlineData("application/octet-stream", "bytes")]
    [InlineData("application/javascript", "alert(1)")]
    public async Task Upload_TypeNotOnTheWhitelist_RefusedAndNothingWritten(string type, string content)
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = UploadClient.FilesIn(UploadDir);

        var reply = await user.UploadAsync(UploadClient.Text(content), "x.bin", type);

        Assert.Equal((400, $"File type \"{type}\" is not allowed"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }

    [Fact]
    public async Task Upload_NoDeclaredType_Refused()
    {
        var user = await TestUsers.SharedAsync(hub);

        var reply = await user.UploadAsync(UploadClient.Text("x"), "x.txt", contentType: null);

        Assert.Equal((400, "File type \"\" is not allowed"), (reply.Status, reply.Error));
    }

    [Theory]
    [InlineData("image/png", "pdf")]
    [InlineData("application/pdf", "png")]
    [InlineData("image/jpeg", "png")]
    [InlineData("image/webp", "riff-avi")]
    [InlineData("application/zip", "text")]
    [InlineData("text/plain", "nul")]
    [InlineData("text/csv", "latin1")]
    [InlineData("application/json", "cut-utf8")]
    public async Task Upload_BytesDoNotMatchDeclaredType_RefusedAndNothingWritten(string type, string bytes)
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = UploadClient.FilesIn(UploadDir);
        var content = bytes switch
        {
            "pdf" => UploadClient.Pdf,
            "png" => UploadClient.Filled(UploadClient.Png, 256),
            "riff-avi" => Encoding.ASCII.GetBytes("RIFF\0\0\0\0AVI LIST and more"),
            "text" => UploadClient.Text("just words"),
            "nul" => UploadClient.Text("text with a \0 inside"),
            "latin1" => [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)',', (byte)'1'],
            _ => [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xE2, 0x82],
        };

        var reply = await user.UploadAsync(content, "file.bin", type);

        Assert.Equal((400, "File content does not match declared type"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }

    [Theory]
    [InlineData("image/png", "<script>alert(document.cookie)</script>")]
    [InlineData("image/gif", "<html><body onload=alert(1)>")]
    [InlineData("image/jpeg", "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")]
    public async Task Upload_ImagePolyglotWithMarkup_Refused(string type, string markup)
    {
        var user = await TestUsers.SharedAsync(hub);
        var head = type switch
        {
            "image/png" => UploadClient.Png,
            "image/gif" => Encoding.ASCII.GetBytes("GIF89a"),
            _ => UploadClient.Jpeg,
        };
        // Markup right after the magic number, and once more deep inside a large image.
        var content = head.Concat(Encoding.ASCII.GetBytes(markup)).Concat(new byte[100_000])
            .Concat(Encoding.ASCII.GetBytes("<SCRIPT>")).ToArray();
        var before = UploadClient.FilesIn(UploadDir);

        var reply = await user.UploadAsync(content, "poly.img", type);

        Assert.Equal((400, "File content does not match declared type"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }

    [Fact]
    public async Task Upload_TextThatStartsLikeAnImage_NeverServedAsAnImage()
    {
        var user = await TestUsers.SharedAsync(hub);

        var reply = await user.UploadAsync(UploadClient.Text("GIF89a<script>alert(1)</script>"), "gif.txt", "text/plain");
        var download = await hub.DownloadAsync(reply.Data["url"]!.GetValue<string>(), user.AccessToken);

        Assert.Equal(200, download.Status);
        Assert.Equal("application/octet-stream", download.Header("Content-Type"));
        Assert.StartsWith("attachment;", download.Header("Content-Disposition"));
        AssertSafeHeaders(download);
    }

    [Fact]
    public async Task Upload_ZeroBytes_RefusedAndNothingWritten()
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = UploadClient.FilesIn(UploadDir);

        var reply = await user.UploadAsync([], "empty.txt", "text/plain");

        Assert.Equal((400, "No file provided"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }

    [Fact]
    public async Task Upload_NoFilePartOrNotMultipart_NoFileProvided()
    {
        var user = await TestUsers.SharedAsync(hub);

        var otherField = await user.UploadAsync(UploadClient.Text("x"), "x.txt", "text/plain", field: "attachment");
        var json = await hub.SendAsync(HttpMethod.Post, "/api/upload", "{\"file\":\"x\"}", HubHttp.Bearer(user.AccessToken));

        Assert.Equal((400, "No file provided"), (otherField.Status, otherField.Error));
        Assert.Equal((400, "No file provided"), (json.Status, json.Error));
    }

    [Theory]
    [InlineData("/api/upload")]
    [InlineData("/api/upload/avatar")]
    public async Task Upload_GarbledOrTruncatedBody_ClientErrorAndNothingLeft(string path)
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = UploadClient.FilesIn(UploadDir);
        var whole = UploadClient.Body(UploadClient.Png, "a.png", "image/png", "file", out var boundary);
        var truncated = whole[..(whole.Length - boundary.Length - 8)];

        var garbage = await UploadClient.PostMultipartAsync(hub, user.AccessToken, path, "garbage"u8.ToArray(), "zzz");
        var cut = await UploadClient.PostMultipartAsync(hub, user.AccessToken, path, truncated, boundary);

        // A body that ends before its closing boundary is the client's mistake: 400, never a 500 with our exception text.
        Assert.Equal((400, "No file provided"), (garbage.Status, garbage.Error));
        Assert.Equal((400, "No file provided"), (cut.Status, cut.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
        var ok = await user.UploadAsync(UploadClient.Png, "b.png", "image/png");
        Assert.Equal(200, ok.Status);
    }

    [Fact]
    public async Task Upload_OverTheLimit_RefusedAndPartialFileRemoved()
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = UploadClient.FilesIn(UploadDir);
        var tooLarge = UploadClient.Filled(UploadClient.Pdf, (10 * 1024 * 1024) + 1);

        var reply = await user.UploadAsync(tooLarge, "big.pdf", "application/pdf");

        Assert.Equal((400, "File too large. Maximum size is 10MB"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }

    [Fact]
    public async Task Upload_ExactlyTheLimit_Stored()
    {
        var user = await TestUsers.SharedAsync(hub);
        var atLimit = UploadClient.Filled(UploadClient.Pdf, 10 * 1024 * 1024);

        var reply = await user.UploadAsync(atLimit, "big.pdf", "application/pdf");

        Assert.Equal(200, reply.Status);
        Assert.Equal(atLimit.Length, reply.Data["size"]!.GetValue<long>());
        var stored = Path.Combine(UploadDir, reply.Data["url"]!.GetValue<string>()["/uploads/".Length..]);
        Assert.Equal(atLimit.Length, new FileInfo(stored).Length);
    }

    [Fact]
    public async Task Upload_WithoutToken_Unauthorized()
    {
        var body = UploadClient.Body(UploadClient.Text("x"), "x.txt", "text/plain", "file", out var boundary);

        var reply = await UploadClient.PostMultipartAsync(hub, token: null, "/api/upload", body, boundary);

        Assert.Equal((401, "Unauthorized"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Download_TokenInHeaderOrQuery_AnyAuthenticatedUser()
    {
        var owner = await TestUsers.SharedAsync(hub);
        var other = await TestUsers.CreateAsync(hub, "other");
        var url = (await owner.UploadAsync(UploadClient.Text("shared"), "s.txt", "text/plain")).Data["url"]!.GetValue<string>();

        var header = await hub.DownloadAsync(url, other.AccessToken);
        var query = await hub.DownloadAsync($"{url}?token={other.AccessToken}", token: null);
        var none = await hub.DownloadAsync(url, token: null);
        var bad = await hub.DownloadAsync($"{url}?token=not-a-token", token: null);

        Assert.Equal((200, "shared"), (header.Status, Encoding.UTF8.GetString(header.Body)));
        Assert.Equal((200, "shared"), (query.Status, Encoding.UTF8.GetString(query.Body)));
        Assert.Equal((401, "Unauthorized"), (none.Status, none.Json!["error"]!.GetValue<string>()));
        Assert.Equal((401, "Invalid or expired token"), (bad.Status, bad.Json!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Download_UnknownHiddenOrPartialFiles_NotFound()
    {
        var user = await TestUsers.SharedAsync(hub);
        var partial = Path.Combine(UploadDir, ".upload-abc.part");
        await File.WriteAllTextAsync(partial, "half");
        Directory.CreateDirectory(Path.Combine(UploadDir, "sub"));

        var unknown = await hub.DownloadAsync("/uploads/AAAAAAAAAAAAAAAAAAAAA.txt", user.AccessToken);
        var hidden = await hub.DownloadAsync("/uploads/.upload-abc.part", user.AccessToken);
        var directory = await hub.DownloadAsync("/uploads/sub", user.AccessToken);
        var root = await hub.DownloadAsync("/uploads/", user.AccessToken);

        foreach (var download in new[] { unknown, hidden, directory, root })
        {
            Assert.Equal(404, download.Status);
            Assert.DoesNotContain("half", Encoding.UTF8.GetString(download.Body), StringComparison.Ordinal);
        }

        Assert.Equal("File not found", unknown.Json!["error"]!.GetValue<string>());
        File.Delete(partial);
    }

    [Fact]
    public async Task Download_SymlinkOutOfTheDirectory_NotFollowed()
    {
        var user = await TestUsers.SharedAsync(hub);
        var outside = Path.Combine(Path.GetTempPath(), $"agentim-secret-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(outside, "secret outside");
        File.CreateSymbolicLink(Path.Combine(UploadDir, "link.txt"), outside);

        var download = await hub.DownloadAsync("/uploads/link.txt", user.AccessToken);

        Assert.Equal(404, download.Status);
        Assert.DoesNotContain("secret", Encoding.UTF8.GetString(download.Body), StringComparison.Ordinal);
        File.Delete(Path.Combine(UploadDir, "link.txt"));
        File.Delete(outside);
    }

    [Fact]
    public async Task Metrics_CountUploadsAndDownloadsWithBytes()
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = await MetricsAsync();

        var reply = await user.UploadAsync(UploadClient.Text("0123456789"), "m.txt", "text/plain");
        await hub.DownloadAsync(reply.Data["url"]!.GetValue<string>(), user.AccessToken);
        await user.UploadAsync(UploadClient.Text("x"), "m.html", "text/html");
        var after = await MetricsAsync();

        Assert.Equal(1, after["agentim_uploads_total"] - before["agentim_uploads_total"]);
        Assert.Equal(10, after["agentim_upload_bytes_total"] - before["agentim_upload_bytes_total"]);
        Assert.Equal(1, after["agentim_uploads_refused_total"] - before["agentim_uploads_refused_total"]);
        Assert.Equal(1, after["agentim_downloads_total"] - before["agentim_downloads_total"]);
        Assert.Equal(10, after["agentim_download_bytes_total"] - before["agentim_download_bytes_total"]);
    }

    private async Task<Dictionary<string, double>> MetricsAsync()
    {
        var text = await hub.Http.GetStringAsync("/api/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("agentim_upload", StringComparison.Ordinal)
                || line.StartsWith("agentim_download", StringComparison.Ordinal))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    internal static void AssertSafeHeaders(Download download)
    {
        Assert.Equal("nosniff", download.Header("X-Content-Type-Options"));
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; sandbox", download.Header("Content-Security-Policy"));
        Assert.Equal("no-referrer", download.Header("Referrer-Policy"));
    }
}
