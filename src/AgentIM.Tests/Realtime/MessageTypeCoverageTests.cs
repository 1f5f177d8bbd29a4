namespace AgentIM.Tests.Realtime;

/// <summary>
/// "A test for every message type" (issue #4): the 17 client→server, 30 server→client, 19 gateway→server and 18
/// server→gateway types of websocket.md, each with a handler (an inbound <c>case</c>) or an emitter (a frame type
/// literal) in the hub's code, and each named in at least one behavioural test. The lists were taken from the
/// contract's tables (websocket.md §4-§7, kept outside this repository).
/// </summary>
public sealed class MessageTypeCoverageTests
{
    public static readonly string[] ClientToServer =
    [
        "client:auth", "client:join_room", "client:leave_room", "client:send_message", "client:typing", "client:stop_generation",
        "client:permission_response", "client:agent_command", "client:query_agent_info", "client:request_workspace",
        "client:list_gateway_credentials", "client:add_gateway_credential", "client:manage_gateway_credential",
        "client:start_gateway_oauth", "client:complete_gateway_oauth", "client:ping", "client:rewind_room",
    ];

    public static readonly string[] ServerToClient =
    [
        "server:auth_result", "server:new_message", "server:message_chunk", "server:message_complete", "server:message_edited",
        "server:message_deleted", "server:typing", "server:agent_status", "server:agent_command_result", "server:agent_info",
        "server:task_update", "server:room_update", "server:room_removed", "server:terminal_data", "server:read_receipt",
        "server:presence", "server:reaction_update", "server:permission_request", "server:permission_request_expired",
        "server:agents_changed", "server:room_cleared", "server:room_rewound", "server:spawn_result",
        "server:gateway_credential_list", "server:gateway_credential_result", "server:gateway_oauth_url",
        "server:gateway_oauth_result", "server:workspace_response", "server:pong", "server:error",
    ];

    public static readonly string[] GatewayToServer =
    [
        "gateway:auth", "gateway:register_agent", "gateway:unregister_agent", "gateway:message_chunk", "gateway:message_complete",
        "gateway:agent_status", "gateway:terminal_data", "gateway:task_update", "gateway:permission_request",
        "gateway:agent_command_result", "gateway:agent_info", "gateway:spawn_result", "gateway:credential_list",
        "gateway:credential_result", "gateway:oauth_url", "gateway:oauth_result", "gateway:workspace_response", "gateway:ping",
        "gateway:rewind_result",
    ];

    public static readonly string[] ServerToGateway =
    [
        "server:gateway_auth_result", "server:send_to_agent", "server:stop_agent", "server:remove_agent", "server:room_context",
        "server:permission_response", "server:agent_command", "server:query_agent_info", "server:spawn_agent",
        "server:request_workspace", "server:list_credentials", "server:add_credential", "server:manage_credential",
        "server:start_oauth", "server:complete_oauth", "server:rewind_agent", "server:pong", "server:error",
    ];

    [Fact]
    public void Lists_HaveTheContractCountsWithoutRepeats()
    {
        // The lists were taken from the tables of websocket.md §4-§7, which live outside this repository.
        Assert.Equal(17, ClientToServer.Length);
        Assert.Equal(30, ServerToClient.Length);
        Assert.Equal(19, GatewayToServer.Length);
        Assert.Equal(18, ServerToGateway.Length);
        Assert.All(
            new[] { ClientToServer, ServerToClient, GatewayToServer, ServerToGateway },
            list => Assert.Equal(list.Length, list.Distinct().Count()));
    }

    [Fact]
    public void InboundTypes_EachHasAHandlerCase()
    {
        var client = Source("Realtime", "ClientSocketHandler*.cs");
        var gateway = Source("Realtime", "GatewaySocketHandler*.cs");

        AssertNoneMissing(ClientToServer.Where(t => !client.Contains($"case \"{t}\":", StringComparison.Ordinal)));
        AssertNoneMissing(GatewayToServer.Where(t => !gateway.Contains($"case \"{t}\":", StringComparison.Ordinal)));
    }

    [Fact]
    public void OutboundTypes_EachHasAnEmitter()
    {
        var hub = Source("", "*.cs");

        AssertNoneMissing(
            ServerToClient.Concat(ServerToGateway).Distinct().Where(t => !hub.Contains($"\"{t}\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void EveryType_NamedInABehaviouralTest()
    {
        var testsRoot = Path.Combine(RepositoryRoot(), "src", "AgentIM.Tests");
        var tests = string.Concat(Directory.EnumerateFiles(testsRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != $"{nameof(MessageTypeCoverageTests)}.cs")
            .Select(File.ReadAllText));

        var all = ClientToServer.Concat(ServerToClient).Concat(GatewayToServer).Concat(ServerToGateway).Distinct();
        AssertNoneMissing(all.Where(t => !tests.Contains($"\"{t}\"", StringComparison.Ordinal)));
    }

    private static void AssertNoneMissing(IEnumerable<string> missing)
    {
        var list = missing.ToList();
        Assert.True(list.Count == 0, "Missing: " + string.Join(", ", list));
    }

    private static string Source(string folder, string pattern)
    {
        var root = Path.Combine(RepositoryRoot(), "src", "AgentIM", folder);
        return string.Concat(Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentIM.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgentIM.sln not found above " + AppContext.BaseDirectory);
    }
}
