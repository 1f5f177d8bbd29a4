using AgentIM.Users;

namespace AgentIM.Routers;

/// <summary>Whether a user may name a router on a room (rest-api.md #27, #29).</summary>
public enum RouterAttachment
{
    Allowed,
    NotFound,
    NotAccessible,
}

/// <summary>
/// The room-side rule for routers: a personal router only by its creator (routing ignores anybody else's personal
/// router anyway, behaviour.md §1.3), a global router by whoever may see it, admins included.
/// </summary>
public sealed class RouterAccess(RouterStore routers, UserStore users)
{
    public const string NotAccessible = "Router not accessible";
    public const string Gone = "Router no longer exists";

    public async Task<RouterAttachment> CheckAsync(string routerId, string userId, CancellationToken cancellationToken)
    {
        var row = await routers.FindAsync(routerId, cancellationToken);
        if (row is null)
        {
            return RouterAttachment.NotFound;
        }

        if (row.CreatedById == userId)
        {
            return RouterAttachment.Allowed;
        }

        if (!row.IsGlobal)
        {
            return RouterAttachment.NotAccessible;
        }

        if (row.IsVisibleTo(userId))
        {
            return RouterAttachment.Allowed;
        }

        var user = await users.FindByIdAsync(userId, cancellationToken);
        return user is { IsAdmin: true, DisabledAt: null } ? RouterAttachment.Allowed : RouterAttachment.NotAccessible;
    }

    /// <summary>The contract's answer for a refused router, or null when it may be attached.</summary>
    public static IResult? Refusal(RouterAttachment attachment) => attachment switch
    {
        RouterAttachment.NotFound => Infrastructure.Http.Api.NotFound(RoutersEndpoints.RouterNotFound),
        RouterAttachment.NotAccessible => Infrastructure.Http.Api.Forbidden(NotAccessible),
        _ => null,
    };
}
