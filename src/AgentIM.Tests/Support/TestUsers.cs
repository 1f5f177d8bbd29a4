using System.Runtime.CompilerServices;

namespace AgentIM.Tests.Support;

/// <summary>
/// Users for realtime tests. Password hashing is deliberately slow and dominates a test's setup, so the admin
/// session is logged in once per hub, and tests that only need "some authenticated socket" share one user.
/// </summary>
public static class TestUsers
{
    private static readonly ConditionalWeakTable<HubFixture, Task<Session>> Admins = new();
    private static readonly ConditionalWeakTable<HubFixture, Task<Session>> Shared = new();

    /// <summary>A fresh user of its own (unique name), logged in.</summary>
    public static async Task<Session> CreateAsync(HubFixture hub, string prefix = "user")
    {
        var admin = await Admins.GetValue(hub, h => h.LoginAdminAsync());
        var username = $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 10, 40)];
        var (status, body) = await admin.PostAsync("/api/users", new { username, password = HubFixture.UserPassword });
        Assert.True(status == 200, $"create user: {status} {body}");
        return await hub.LoginAsync(username, HubFixture.UserPassword);
    }

    /// <summary>One user per hub for tests that send no rate-limited frames and keep no state on the user.</summary>
    public static Task<Session> SharedAsync(HubFixture hub) => Shared.GetValue(hub, h => CreateAsync(h, "shared"));
}
