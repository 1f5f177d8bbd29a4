using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The agent's working directory as the hub sees it: a <c>workspace_status</c> chunk (git summary) ends each reply
/// of an agent working in a repository, and a client's <c>request_workspace</c> gets the status, a listing or a file,
/// never anything outside the folder or a file that looks like a secret.
/// </summary>
public sealed class WorkspaceTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Reply_InGitRepository_WorkspaceStatusChunkBeforeCompletion()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var repo = await RepositoryAsync(stage);
        var agentId = stage.AddAgent("gitbot", stage.Script("cat.sh", "cat"), workingDirectory: repo);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@gitbot status please");

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        var chunks = client.All("server:message_chunk").Select(c => c["chunk"]!).ToList();
        var last = chunks[^1];
        Assert.Equal("workspace_status", last["type"]!.GetValue<string>());
        Assert.Equal(repo, last["metadata"]!["workingDirectory"]!.GetValue<string>());
        var status = JsonNode.Parse(last["content"]!.GetValue<string>())!;
        AssertRepositoryStatus(status);
        var stored = complete["chunks"]!.AsArray();
        Assert.Equal("workspace_status", stored[^1]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("branch", complete["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reply_OutsideRepository_NoWorkspaceChunk()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var plain = Directory.CreateDirectory(Path.Combine(stage.Scripts, "plain")).FullName;
        var agentId = stage.AddAgent("plainbot", stage.Script("cat.sh", "cat"), workingDirectory: plain);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@plainbot hi");

        await client.WaitForAsync("server:message_complete", timeout: Reply);
        Assert.DoesNotContain(client.All("server:message_chunk"), c => c["chunk"]!["type"]!.GetValue<string>() == "workspace_status");
        var status = await AskAsync(client, roomId, agentId, new { kind = "status" });
        Assert.Equal("status", status["kind"]!.GetValue<string>());
        Assert.Equal("unknown", status["data"]!["branch"]!.GetValue<string>());
        Assert.Empty(status["data"]!["changedFiles"]!.AsArray());
    }

    [Fact]
    public async Task RequestWorkspace_StatusTreeAndFile_AnsweredWithinTheFolderOnly()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var repo = await RepositoryAsync(stage);
        var outside = Path.Combine(stage.Scripts, "outside.txt");
        await File.WriteAllTextAsync(outside, "private");
        File.CreateSymbolicLink(Path.Combine(repo, "escape.txt"), outside);
        await File.WriteAllTextAsync(Path.Combine(repo, ".env"), "TOKEN=abc");
        await File.WriteAllBytesAsync(Path.Combine(repo, "blob.bin"), [1, 0, 2, 3]);
        var agentId = stage.AddAgent("viewbot", stage.Script("cat.sh", "cat"), workingDirectory: repo);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        var status = await AskAsync(client, roomId, agentId, new { kind = "status" });
        Assert.Equal("status", status["kind"]!.GetValue<string>());
        AssertRepositoryStatus(status["data"]!);

        var tree = await AskAsync(client, roomId, agentId, new { kind = "tree" });
        Assert.Equal(".", tree["path"]!.GetValue<string>());
        var names = tree["entries"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.Equal("src", names[0]);
        Assert.Equal("directory", tree["entries"]![0]!["type"]!.GetValue<string>());
        Assert.DoesNotContain(".git", names);
        Assert.Contains("README.md", names);

        var file = await AskAsync(client, roomId, agentId, new { kind = "file", path = "src/main.txt" });
        Assert.Equal("file", file["kind"]!.GetValue<string>());
        Assert.Equal("line one\nline two\n", file["content"]!.GetValue<string>());
        Assert.False(file["truncated"]!.GetValue<bool>());

        var binary = await AskAsync(client, roomId, agentId, new { kind = "file", path = "blob.bin" });
        Assert.Equal("[Binary file]", binary["content"]!.GetValue<string>());

        foreach (var refused in new[] { "../outside.txt", "escape.txt", ".env", "/etc/hostname" })
        {
            var answer = await AskAsync(client, roomId, agentId, new { kind = "file", path = refused });
            Assert.True(answer["kind"]!.GetValue<string>() == "error", $"{refused}: {answer.ToJsonString()}");
        }

        var up = await AskAsync(client, roomId, agentId, new { kind = "tree", path = ".." });
        Assert.Equal("error", up["kind"]!.GetValue<string>());
    }

    /// <summary>Sends a workspace request and returns the response object of the answer.</summary>
    private static async Task<JsonNode> AskAsync(WsPeer client, string roomId, string agentId, object request)
    {
        await client.SendAsync(new { type = "client:request_workspace", roomId, agentId, request });
        return (await client.WaitForAsync("server:workspace_response", timeout: Reply))["response"]!;
    }

    /// <summary>The repository of <see cref="RepositoryAsync"/>: main.txt modified (+1 −0 lines), new.txt untracked.</summary>
    private static void AssertRepositoryStatus(JsonNode status)
    {
        Assert.Equal("main", status["branch"]!.GetValue<string>());
        var files = status["changedFiles"]!.AsArray().ToDictionary(f => f!["path"]!.GetValue<string>(), f => f!);
        Assert.Equal("modified", files["src/main.txt"]["status"]!.GetValue<string>());
        Assert.Equal(1, files["src/main.txt"]["additions"]!.GetValue<int>());
        Assert.Equal("added", files["new.txt"]["status"]!.GetValue<string>());
        Assert.Equal(files.Count, status["summary"]!["filesChanged"]!.GetValue<int>());
        Assert.Equal("first commit", status["recentCommits"]![0]!["message"]!.GetValue<string>());
    }

    /// <summary>A repository on branch main with one commit, one modified and one untracked file.</summary>
    private static async Task<string> RepositoryAsync(GatewayStage stage)
    {
        var repo = Directory.CreateDirectory(Path.Combine(stage.Scripts, "repo")).FullName;
        Directory.CreateDirectory(Path.Combine(repo, "src"));
        await File.WriteAllTextAsync(Path.Combine(repo, "README.md"), "# test\n");
        await File.WriteAllTextAsync(Path.Combine(repo, "src", "main.txt"), "line one\n");
        await GitAsync(repo, "init", "-q", "-b", "main");
        await GitAsync(repo, "add", "README.md", "src/main.txt");
        await GitAsync(repo, "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "first commit");
        await File.AppendAllTextAsync(Path.Combine(repo, "src", "main.txt"), "line two\n");
        await File.WriteAllTextAsync(Path.Combine(repo, "new.txt"), "new\n");
        return repo;
    }

    private static async Task GitAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        await git.WaitForExitAsync();
        Assert.Equal(0, git.ExitCode);
    }
}
