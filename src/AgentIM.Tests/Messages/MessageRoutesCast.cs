using System.Runtime.CompilerServices;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// The people of the message-route tests, created once per hub (password hashing dominates setup): alice owns the
/// rooms, bob is a plain member, carol is in none of them.
/// </summary>
public sealed record MessageRoutesCast(Session Alice, Session Bob, Session Carol)
{
    private static readonly ConditionalWeakTable<HubFixture, Task<MessageRoutesCast>> Casts = new();

    public static Task<MessageRoutesCast> OfAsync(HubFixture hub) => Casts.GetValue(hub, async h =>
        new MessageRoutesCast(
            await TestUsers.CreateAsync(h, "alice"), await TestUsers.CreateAsync(h, "bob"), await TestUsers.CreateAsync(h, "carol")));

    /// <summary>A fresh room of alice's with bob as a member.</summary>
    public Task<string> RoomAsync(string name = "msgs") => Alice.CreateRoomAsync(name, Bob.UserId);

    /// <summary>Sends over the socket, as messages are created, and returns the stored message's id.</summary>
    public static async Task<string> SendAsync(Session sender, string roomId, string content, string? replyToId = null)
    {
        await using var client = await WsPeer.ClientAsync(sender, roomId);
        if (replyToId is null)
        {
            await client.SendMessageAsync(roomId, content);
        }
        else
        {
            await client.SendAsync(new { type = "client:send_message", roomId, content, mentions = Array.Empty<string>(), replyToId });
        }

        var frame = await client.WaitForAsync("server:new_message", f => f["message"]!["senderId"]!.GetValue<string>() == sender.UserId);
        return frame["message"]!["id"]!.GetValue<string>();
    }
}
