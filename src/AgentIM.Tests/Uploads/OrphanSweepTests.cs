using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary>A hub whose orphan sweep runs every 200 ms and removes uploads left unattached for 1.5 s (the contract's 1 h).</summary>
public sealed class ShortRetentionHubFixture : HubFixture
{
    public const int RetentionMs = 1500;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["UPLOAD_ORPHAN_RETENTION_MS"] = RetentionMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["UPLOAD_SWEEP_INTERVAL_MS"] = "200",
    };
}

/// <summary>Orphaned uploads (never attached) go, row and file, after the retention; attached ones stay (behaviour.md §10).</summary>
public sealed class OrphanSweepTests(ShortRetentionHubFixture hub) : IClassFixture<ShortRetentionHubFixture>
{
    private const string Any = "SELECT count(*) FROM message_attachments WHERE id = $1";

    [Fact]
    public async Task Sweep_UnattachedUploadOlderThanRetention_RowAndFileRemoved()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("sweep");
        var orphan = (await alice.UploadAsync(UploadClient.Text("orphan"), "o.txt", "text/plain")).Data;
        var kept = (await alice.UploadAsync(UploadClient.Text("kept"), "k.txt", "text/plain")).Data;
        await using (var client = await WsPeer.ClientAsync(alice, roomId))
        {
            await client.SendAsync(new
            {
                type = "client:send_message", roomId, content = "keep it", mentions = Array.Empty<string>(),
                attachmentIds = new[] { kept["id"]!.GetValue<string>() },
            });
            await client.WaitForAsync("server:new_message");
        }

        var orphanPath = Path.Combine(hub.Config.UploadDir, orphan["url"]!.GetValue<string>()["/uploads/".Length..]);
        var keptPath = Path.Combine(hub.Config.UploadDir, kept["url"]!.GetValue<string>()["/uploads/".Length..]);
        Assert.True(File.Exists(orphanPath), "still there right after the upload");

        await Eventually.AssertAsync(
            async () => !File.Exists(orphanPath) && await TestSql.CountAsync(hub, Any, orphan["id"]!.GetValue<string>()) == 0,
            "the orphan's row and file are removed");
        Assert.True(File.Exists(keptPath), "an attached upload stays");
        Assert.Equal(1, await TestSql.CountAsync(hub, Any, kept["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Sweep_PartialFileLeftByACrash_Removed()
    {
        var stale = Path.Combine(hub.Config.UploadDir, ".upload-crashed00000000000000.part");
        await File.WriteAllTextAsync(stale, "half a file");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));

        await Eventually.AssertAsync(() => Task.FromResult(!File.Exists(stale)), "the partial file is removed");
    }
}
