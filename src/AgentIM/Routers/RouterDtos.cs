using System.Text.Json;

namespace AgentIM.Routers;

/// <summary>A router as the API shows it: the row with the key masked (rest-api.md §0.5, "Router (sanitized)").</summary>
public sealed record RouterDto(
    string Id,
    string Name,
    string? Description,
    string Scope,
    string CreatedById,
    string LlmBaseUrl,
    string LlmApiKey,
    string LlmModel,
    int MaxChainDepth,
    int RateLimitWindow,
    int RateLimitMax,
    string Visibility,
    IReadOnlyList<string> VisibilityList,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>
/// Body of create and update. <see cref="Description"/> is a raw element so an update can tell "absent" (Undefined)
/// from an explicit null, which clears it.
/// </summary>
public sealed record RouterRequest(
    string? Name,
    JsonElement Description,
    string? Scope,
    string? LlmBaseUrl,
    string? LlmApiKey,
    string? LlmModel,
    int? MaxChainDepth,
    int? RateLimitWindow,
    int? RateLimitMax,
    string? Visibility,
    List<string?>? VisibilityList);

public sealed record RouterTestResult(bool Success);
