namespace AgentIM.Routers;

/// <summary>A row of <c>routers</c> (data-model.md §2.8); <see cref="StoredApiKey"/> is in the <c>enc:</c> format.</summary>
public sealed record RouterRow(
    string Id,
    string Name,
    string? Description,
    string Scope,
    string CreatedById,
    string LlmBaseUrl,
    string StoredApiKey,
    string LlmModel,
    int MaxChainDepth,
    int RateLimitWindow,
    int RateLimitMax,
    string Visibility,
    IReadOnlyList<string> VisibilityList,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public bool IsGlobal => Scope == RouterScopes.Global;

    /// <summary>Whether <paramref name="userId"/> may see this router (admins see all; checked separately).</summary>
    public bool IsVisibleTo(string userId) =>
        CreatedById == userId
        || (IsGlobal && Visibility switch
        {
            "all" => true,
            "whitelist" => VisibilityList.Contains(userId, StringComparer.Ordinal),
            "blacklist" => !VisibilityList.Contains(userId, StringComparer.Ordinal),
            _ => false,
        });
}

public static class RouterScopes
{
    public const string Global = "global";
    public const string Personal = "personal";
}
