using AgentIM.Infrastructure;
using AgentIM.Messages;

namespace AgentIM.Realtime;

public sealed partial class GatewaySocketHandler
{
    /// <summary>
    /// Agent-to-agent routing on a completed reply (behaviour.md §1.4). Runs after the room got the
    /// <c>server:message_complete</c> (websocket.md §9a). A reply over the agent's rate limit, at the chain's depth
    /// limit, or mentioning only agents that already replied in this conversation goes nowhere.
    /// </summary>
    private async Task RouteToAgentsAsync(
        BoundAgent sender, MessageDto message, string? echoedConversationId, int depth, CancellationToken cancellationToken)
    {
        if (!await chains.TryCountCompletionAsync(sender.Id))
        {
            return;
        }

        var names = Mentions.Parse(message.Content);
        if (names.Count == 0 || depth >= config.MaxAgentChainDepth)
        {
            return;
        }

        var conversationId = string.IsNullOrEmpty(echoedConversationId) ? Ids.New() : echoedConversationId;
        var visited = await chains.AddVisitedAsync(conversationId, sender.Id);
        var members = await rooms.ListRoutingMembersAsync(message.RoomId, cancellationToken);
        var targets = Mentions.Resolve(names, members.Where(m => m.IsAgent).ToList(), m => m.Name, m => m.Status == "online");
        foreach (var target in targets)
        {
            if (target.Id == sender.Id || visited.Contains(target.Id))
            {
                continue;
            }

            var send = new SendToAgentFrame(
                target.Id, message.RoomId, message.Id, message.Content, sender.Name, "agent", "direct", conversationId, depth + 1);
            metrics.AgentResponseStarted(target.Id, message.RoomId);
            if (!registry.SendToAgent(target.Id, Frames.Serialize(send, WireJson.Default.SendToAgentFrame)))
            {
                metrics.AgentResponseAbandoned(target.Id, message.RoomId);
            }
        }
    }
}
