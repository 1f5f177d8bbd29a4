namespace AgentIM.Tests.Smoke;

/// <summary>
/// The spine through the shipped native-AOT binary: a person mentions an agent, the agent streams its reply
/// through a gateway socket, and both messages survive a restart.
/// </summary>
public sealed class PublishedBinaryTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    [Fact]
    public async Task PublishedBinary_AgentStreamsReply_HistorySurvivesRestart()
    {
        var admin = await hub.LoginAdminAsync();
        var room = await admin.CreateRoomAsync("aot-room");
        await using (var gateway = await Support.WsPeer.GatewayAsync(admin, "gw-aot-1", ("ag-aot-1", "helper")))
        {
            await admin.AddMemberAsync(room, "ag-aot-1", "agent");
            await using var client = await Support.WsPeer.ClientAsync(admin, room);

            await client.SendAsync(
                new { type = "client:send_message", roomId = room, content = "@helper hello", mentions = Array.Empty<string>() });
            var sent = await client.WaitForAsync("server:new_message");
            var toAgent = await gateway.WaitForAsync("server:send_to_agent");
            Assert.Equal("ag-aot-1", toAgent["agentId"]!.GetValue<string>());

            foreach (var piece in new[] { "a", "b", "c" })
            {
                await gateway.SendAsync(new
                {
                    type = "gateway:message_chunk", roomId = room, agentId = "ag-aot-1", messageId = "resp-aot-1",
                    chunk = new { type = "text", content = piece },
                });
            }

            await gateway.SendAsync(
                new
                {
                    type = "gateway:message_complete", roomId = room, agentId = "ag-aot-1", messageId = "resp-aot-1", fullContent = "abc",
                });
            var chunks = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                chunks.Add((await client.WaitForAsync("server:message_chunk"))["chunk"]!["content"]!.GetValue<string>());
            }

            Assert.Equal(["a", "b", "c"], chunks);
            var complete = await client.WaitForAsync("server:message_complete");
            Assert.Equal("abc", complete["message"]!["content"]!.GetValue<string>());
            Assert.NotNull(sent);
        }

        Assert.Equal(0, await hub.StopAsync());
        await hub.StartAsync();

        var again = await hub.LoginAdminAsync();
        var (status, history) = await again.GetAsync($"/api/messages/rooms/{room}");
        Assert.Equal(200, status);
        var contents = history!["data"]!["items"]!.AsArray().Select(i => i!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(["abc", "@helper hello"], contents);
    }

    [Fact]
    public async Task PublishedBinary_MigrateStatus_ListsAppliedMigrations()
    {
        var (exitCode, output) = await hub.RunAsync(null, "migrate", "--status");
        Assert.Equal(0, exitCode);
        Assert.Contains("0001", output);
        Assert.Contains("0002", output);
        Assert.DoesNotContain("pending", output);

        var (again, message) = await hub.RunAsync(null, "migrate");
        Assert.Equal(0, again);
        Assert.Contains("up to date", message);
    }

    [Fact]
    public async Task PublishedBinary_ProductionWithWeakSecret_RefusesToStartNamingTheVariable()
    {
        var (exitCode, output) = await hub.RunAsync(
            new Dictionary<string, string> { ["AGENTIM_ENV"] = "production", ["JWT_SECRET"] = "short" }, "serve");
        Assert.Equal(1, exitCode);
        Assert.Contains("JWT_SECRET", output);
        Assert.Single(output.Trim().Split('\n'));
    }
}
