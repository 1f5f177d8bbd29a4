using System.Diagnostics;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary>A hub whose UPLOAD_DIR is a 1 MiB tmpfs mounted for it (tests run as root), unmounted afterwards.</summary>
public sealed class TmpfsUploadHubFixture : HubFixture
{
    private readonly string _mountPoint = Directory.CreateTempSubdirectory("agentim-tmpfs-").FullName;
    private bool _mounted;

    public string MountPoint => _mountPoint;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string> { ["UPLOAD_DIR"] = _mountPoint };

    protected override async Task OnDatabaseCreatedAsync(string databaseUrl)
    {
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", _mountPoint);
        _mounted = true;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_mounted)
        {
            await RunAsync("umount", _mountPoint);
        }

        Directory.Delete(_mountPoint, recursive: true);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: exit {process.ExitCode} {error}");
    }
}

/// <summary>A full disk under UPLOAD_DIR: a clear error, nothing half-written left behind, and the hub keeps working.</summary>
public sealed class UploadDiskFullTests(TmpfsUploadHubFixture hub) : IClassFixture<TmpfsUploadHubFixture>
{
    [Fact]
    public async Task Upload_LargerThanTheFreeSpace_InsufficientStorageAndNoPartialFile()
    {
        var user = await TestUsers.SharedAsync(hub);
        var filler = Path.Combine(hub.MountPoint, "filler.bin");
        await File.WriteAllBytesAsync(filler, new byte[700 * 1024]);
        var before = UploadClient.FilesIn(hub.MountPoint);

        var reply = await user.UploadAsync(UploadClient.Filled(UploadClient.Pdf, 600 * 1024), "big.pdf", "application/pdf");

        Assert.Equal((507, "Not enough storage space to save the file"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(hub.MountPoint));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM message_attachments"));

        File.Delete(filler);
        var afterwards = await user.UploadAsync(UploadClient.Filled(UploadClient.Pdf, 600 * 1024), "big.pdf", "application/pdf");
        Assert.Equal(200, afterwards.Status);
        File.Delete(Path.Combine(hub.MountPoint, afterwards.Data["url"]!.GetValue<string>()["/uploads/".Length..]));
    }

    [Fact]
    public async Task Upload_DiskAlreadyFull_InsufficientStorageAndNothingLeft()
    {
        var user = await TestUsers.SharedAsync(hub);
        var filler = Path.Combine(hub.MountPoint, "filler-all.bin");
        await FillAsync(filler);
        var before = UploadClient.FilesIn(hub.MountPoint);

        var reply = await user.UploadAsync(UploadClient.Text(new string('t', 64 * 1024)), "t.txt", "text/plain");

        Assert.Equal((507, "Not enough storage space to save the file"), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(hub.MountPoint));
        File.Delete(filler);
    }

    private static async Task FillAsync(string path)
    {
        await using var stream = File.Create(path);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                await stream.WriteAsync(block);
                await stream.FlushAsync();
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
