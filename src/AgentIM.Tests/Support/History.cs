using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AgentIM.Tests.Support;

/// <summary>One page of <c>GET /api/messages/rooms/:roomId</c>.</summary>
public sealed record HistoryPage(IReadOnlyList<JsonNode> Items, string? NextCursor, bool HasMore)
{
    public IReadOnlyList<string> Ids => Items.Select(i => i["id"]!.GetValue<string>()).ToList();

    public IReadOnlyList<string> CreatedAts => Items.Select(i => i["createdAt"]!.GetValue<string>()).ToList();
}

/// <summary>Reads room history the way the web client does, and plants fixture messages with chosen timestamps.</summary>
public static class History
{
    public static async Task<HistoryPage> PageAsync(Session session, string roomId, int limit, string? cursor = null, string? after = null)
    {
        var query = $"?limit={limit}";
        if (cursor is not null)
        {
            query += $"&cursor={Uri.EscapeDataString(cursor)}";
        }

        if (after is not null)
        {
            query += $"&after={Uri.EscapeDataString(after)}";
        }

        var (status, body) = await session.GetAsync($"/api/messages/rooms/{roomId}{query}");
        Assert.True(status == 200, $"history: {status} {body}");
        var data = body!["data"]!.AsObject();
        return new HistoryPage(
            data["items"]!.AsArray().Select(i => i!).ToList(),
            data["nextCursor"]?.GetValue<string>(),
            data["hasMore"]!.GetValue<bool>());
    }

    /// <summary>Walks back from the newest message, passing nextCursor on unchanged, and returns every page.</summary>
    public static async Task<List<HistoryPage>> WalkBackAsync(Session session, string roomId, int limit, int maxPages = 1000)
    {
        var pages = new List<HistoryPage>();
        string? cursor = null;
        do
        {
            var page = await PageAsync(session, roomId, limit, cursor);
            pages.Add(page);
            if (!page.HasMore)
            {
                break;
            }

            Assert.False(string.IsNullOrEmpty(page.NextCursor), $"page {pages.Count} has more but no nextCursor");
            cursor = page.NextCursor;
        }
        while (pages.Count < maxPages);

        return pages;
    }

    /// <summary>A random message id in the nanoid alphabet (mixed case, digits, '-' and '_').</summary>
    public static string RandomId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..21];

    /// <summary>Fixture SQL: inserts user messages with the given ids, all at one instant (a PostgreSQL timestamptz literal).</summary>
    public static Task InsertAsync(string databaseUrl, string roomId, Session sender, IReadOnlyList<string> ids, string createdAt) =>
        TestSql.ExecuteAsync(
            databaseUrl,
            """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
            SELECT id, $2, $3, 'user', $4, 'text', 'fixture ' || id, $5::timestamptz
            FROM unnest($1::text[]) AS id
            """,
            ids.ToArray(), roomId, sender.UserId, sender.Username, createdAt);
}
