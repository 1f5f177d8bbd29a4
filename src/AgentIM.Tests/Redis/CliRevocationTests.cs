using System.Net.WebSockets;
using AgentIM.Infrastructure.Db;
using AgentIM.Tests.Support;
using AgentIM.Users;

namespace AgentIM.Tests.Redis;

/// <summary>
/// <c>agentim user disable|passwd|delete</c> works on the database from another process, without Redis; the
/// running hub hears the PostgreSQL NOTIFY the command sends and closes the user's sockets with 1008 at once.
/// The commands' own code (<see cref="UserAdmin"/>) runs here in-process, against a database of its own.
/// </summary>
public sealed class CliRevocationTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const string NewHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";

    [Theory]
    [InlineData("disable")]
    [InlineData("passwd")]
    [InlineData("delete")]
    public async Task UserCommand_AgainstRunningHub_ClosesUsersSocketsWithSessionRevoked(string command)
    {
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await using var client = await WsPeer.ClientAsync(bob);
        await using var gateway = await WsPeer.GatewayAsync(bob, Unique.Id("gw"));

        await using (var database = new HubDatabase(ConnectionStrings.ToNpgsql(hub.DatabaseUrl, 2)))
        {
            var admin = new UserAdmin(database);
            var outcome = command switch
            {
                "disable" => await admin.DisableAsync(bob.Username, CancellationToken.None),
                "passwd" => await admin.SetPasswordAsync(bob.Username, NewHash, CancellationToken.None),
                _ => await admin.DeleteAsync(bob.Username, CancellationToken.None),
            };
            Assert.Equal(UserAdminOutcome.Done, outcome);
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await gateway.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(client.All("server:error", f => f["code"]!.GetValue<string>() == "SESSION_REVOKED"));
        Assert.Equal(401, (await bob.GetAsync("/api/users/me")).Status);
    }

    [Fact]
    public async Task UserCommand_OnAnotherUser_LeavesThisUsersSocketOpen()
    {
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var carol = await TestUsers.CreateAsync(hub, "carol");
        await using var client = await WsPeer.ClientAsync(bob);

        await using (var database = new HubDatabase(ConnectionStrings.ToNpgsql(hub.DatabaseUrl, 2)))
        {
            Assert.Equal(UserAdminOutcome.Done, await new UserAdmin(database).DisableAsync(carol.Username, CancellationToken.None));
        }

        await Task.Delay(300);
        await client.PingAsync();
        Assert.Equal(WebSocketState.Open, client.State);
        Assert.Empty(client.All("server:error"));
    }
}
