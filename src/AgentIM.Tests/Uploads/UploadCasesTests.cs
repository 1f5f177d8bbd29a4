using System.Text;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary>Cases B12 (active content in uploads and text) and B14 (hostile upload names and paths), step by step.</summary>
public sealed class UploadCasesTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private string UploadDir => hub.Config.UploadDir;

    [Fact]
    public async Task B12_SvgAsSvgAsPngAndAsAvatar_AllRefusedNothingWritten()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var before = UploadClient.FilesIn(UploadDir);
        var svg = UploadClient.Text(UploadClient.Svg);

        var asSvg = await alice.UploadAsync(svg, "pic.svg", "image/svg+xml");
        var asPng = await alice.UploadAsync(svg, "pic.png", "image/png");
        var asAvatar = await alice.UploadAsync(svg, "pic.svg", "image/svg+xml", path: "/api/upload/avatar");

        Assert.Equal((400, "File type \"image/svg+xml\" is not allowed"), (asSvg.Status, asSvg.Error));
        Assert.Equal((400, "File content does not match declared type"), (asPng.Status, asPng.Error));
        Assert.Equal((400, "Only JPEG, PNG, GIF and WebP images are allowed"), (asAvatar.Status, asAvatar.Error));
        Assert.All(new[] { asSvg, asPng, asAvatar }, r => Assert.False(r.Body!["ok"]!.GetValue<bool>()));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }

    [Fact]
    public async Task B12_SvgPlacedInTheDirectory_NeverServedInline()
    {
        // A deployment that let SVG in (or a file put there by hand) still never serves it as a document.
        var alice = await TestUsers.SharedAsync(hub);
        await File.WriteAllTextAsync(Path.Combine(UploadDir, "placed.svg"), UploadClient.Svg);

        var download = await hub.DownloadAsync("/uploads/placed.svg", alice.AccessToken);

        Assert.Equal(200, download.Status);
        Assert.Equal("application/octet-stream", download.Header("Content-Type"));
        Assert.StartsWith("attachment;", download.Header("Content-Disposition"));
        UploadRoutesTests.AssertSafeHeaders(download);
    }

    [Fact]
    public async Task B12_MarkupInMessageText_SvgAndMathBlocksRemoved()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("b12");
        await using var client = await WsPeer.ClientAsync(alice, roomId);

        const string Content = "hi <svg onload=alert(1)><foreignObject>x</foreignObject></svg> and <math><mi>x</mi></math> bye";
        await client.SendMessageAsync(roomId, Content);
        var frame = await client.WaitForAsync("server:new_message");
        var page = await History.PageAsync(alice, roomId, 10);

        var stored = frame["message"]!["content"]!.GetValue<string>();
        Assert.DoesNotContain("<svg", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<math", stored, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("hi", stored, StringComparison.Ordinal);
        Assert.EndsWith("bye", stored, StringComparison.Ordinal);
        Assert.Contains("and", stored, StringComparison.Ordinal);
        Assert.Equal(stored, page.Items.Single()["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("../../../../tmp/hub-pwn.txt", "hub-pwn.txt")]
    [InlineData("..\\..\\..\\hub-pwn2.txt", "hub-pwn2.txt")]
    [InlineData("%2e%2e%2fhub-pwn3.txt", "%2e%2e%2fhub-pwn3.txt")]
    [InlineData("....//hub-pwn4.txt", "hub-pwn4.txt")]
    public async Task B14_TraversalNames_StoredInsideUnderOwnName(string sent, string shown)
    {
        var alice = await TestUsers.SharedAsync(hub);
        var parent = Path.GetDirectoryName(Path.GetFullPath(UploadDir))!;
        var watched = new[] { "/tmp", parent, Path.GetDirectoryName(parent)! }.Distinct().ToArray();
        var outsideBefore = watched.ToDictionary(d => d, d => Directory.EnumerateFileSystemEntries(d, "hub-pwn*").Count());

        var reply = await alice.UploadAsync(UploadClient.Text("x"), sent, "text/plain");

        Assert.Equal(200, reply.Status);
        Assert.Equal(shown, reply.Data["filename"]!.GetValue<string>());
        var url = reply.Data["url"]!.GetValue<string>();
        Assert.Matches("^/uploads/[A-Za-z0-9_]{21}\\.txt$", url);
        Assert.True(File.Exists(Path.Combine(UploadDir, url["/uploads/".Length..])));
        foreach (var directory in watched)
        {
            Assert.Equal(outsideBefore[directory], Directory.EnumerateFileSystemEntries(directory, "hub-pwn*").Count());
        }
    }

    [Theory]
    [InlineData("/uploads/..%2f..%2fetc%2fpasswd")]
    [InlineData("/uploads/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/uploads/..%252f..%252fetc%252fpasswd")]
    [InlineData("/uploads/a/../../hub.db")]
    [InlineData("/uploads/../../../../etc/passwd")]
    [InlineData("/uploads/")]
    public async Task B14_TraversalPaths_NeverOutsideNeverAListing(string rawPath)
    {
        var alice = await TestUsers.SharedAsync(hub);
        await File.WriteAllTextAsync(Path.Combine(UploadDir, "listed-name.txt"), "x");

        var (status, body) = await RawHttp.GetAsync(hub.BaseAddress, rawPath, alice.AccessToken);

        Assert.True(status is 400 or 404, $"{rawPath}: {status}");
        Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
        Assert.DoesNotContain("listed-name", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task B14_UnicodeName_KeptExactlyAndSentAsRfc5987()
    {
        var alice = await TestUsers.SharedAsync(hub);
        const string Name = "отчёт 測試 😀.txt";

        var reply = await alice.UploadAsync(UploadClient.Text("данные"), Name, "text/plain");
        var download = await hub.DownloadAsync(reply.Data["url"]!.GetValue<string>(), alice.AccessToken);

        Assert.Equal(200, reply.Status);
        Assert.Equal(Name, reply.Data["filename"]!.GetValue<string>());
        var disposition = download.Header("Content-Disposition")!;
        Assert.Contains("filename*=UTF-8''" + Uri.EscapeDataString(Name), disposition, StringComparison.Ordinal);
        Assert.True(disposition.All(c => c is >= ' ' and <= '~'), disposition);
    }

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("a\u2066b\u2069c\u200F.txt", "abc.txt")]
    [InlineData("a\rX-Injected: 1.txt", "aX-Injected: 1.txt")]
    [InlineData("a%0D%0AX-Injected: 1.txt", "a%0D%0AX-Injected: 1.txt")]
    [InlineData("a\\\"b';c.txt", "a\"b';c.txt")]
    public async Task B14_HostileCharacters_StrippedAndNoHeaderInjected(string sent, string shown)
    {
        var alice = await TestUsers.SharedAsync(hub);

        var reply = await alice.UploadAsync(UploadClient.Text("x"), sent, "text/plain");
        var download = await hub.DownloadAsync(reply.Data["url"]!.GetValue<string>(), alice.AccessToken);

        Assert.Equal(200, reply.Status);
        Assert.Equal(shown, reply.Data["filename"]!.GetValue<string>());
        Assert.Equal(200, download.Status);
        Assert.False(download.Headers.ContainsKey("X-Injected"));
        var disposition = download.Header("Content-Disposition")!;
        Assert.True(disposition.All(c => c is >= ' ' and <= '~'), disposition);
        var quoted = disposition.Split("filename=\"")[1].Split('"')[0];
        Assert.DoesNotContain('\\', quoted);
        Assert.Contains("filename*=UTF-8''", disposition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task B14_NameOf300Characters_Truncated()
    {
        var alice = await TestUsers.SharedAsync(hub);
        var name = new string('n', 296) + ".txt";

        var reply = await alice.UploadAsync(UploadClient.Text("x"), name, "text/plain");

        Assert.Equal(200, reply.Status);
        var shown = reply.Data["filename"]!.GetValue<string>();
        Assert.True(shown.Length <= 200, shown);
        Assert.EndsWith(".txt", shown, StringComparison.Ordinal);
        var stored = await TestSql.ScalarAsync<string>(hub.DatabaseUrl, "SELECT filename FROM message_attachments WHERE id = $1",
            reply.Data["id"]!.GetValue<string>());
        Assert.Equal(shown, stored);
        Assert.Equal(Encoding.UTF8.GetBytes("x"), await File.ReadAllBytesAsync(
            Path.Combine(UploadDir, reply.Data["url"]!.GetValue<string>()["/uploads/".Length..])));
    }
}
