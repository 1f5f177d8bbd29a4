using System.Text;

namespace AgentIM.Gateway;

/// <summary>What the hub said about a room (<c>server:room_context</c>) that the prompt uses.</summary>
public sealed record RoomInfo(string RoomName, string? SystemPrompt, IReadOnlyList<string> OtherMembers);

/// <summary>
/// The text every adapter is given (gateway-cli.md §6.2): the room's system prompt, in broadcast mode a note on who
/// else hears it, the sender, then the message itself; capped at 200,000 characters.
/// </summary>
public static class PromptBuilder
{
    public const int MaxLength = 200_000;

    public static string Build(IncomingMessage message, RoomInfo? room, string agentName, string agentType)
    {
        var parts = new List<string>();
        if (room?.SystemPrompt is { Length: > 0 } system)
        {
            parts.Add($"[System: {system}]");
        }

        if (message.RoutingMode == "broadcast" && room is not null)
        {
            var block = new StringBuilder($"[Room \"{room.RoomName}\": this message goes to every agent in the room. ");
            block.Append($"You are {agentName} ({agentType}).");
            if (room.OtherMembers.Count > 0)
            {
                block.Append(" Other members: ").AppendJoin(", ", room.OtherMembers).Append('.');
            }

            parts.Add(block.Append(']').ToString());
        }

        parts.Add($"[From: {message.SenderName}] Answer in the language the sender wrote in.");
        parts.Add(message.Content);
        var prompt = string.Join("\n\n", parts);
        return prompt.Length <= MaxLength ? prompt : prompt[..(MaxLength - 30)] + "\n\n[Prompt truncated]";
    }
}
