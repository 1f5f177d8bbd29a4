using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Http;
using AgentIM.Metrics;
using AgentIM.Settings;
using Microsoft.AspNetCore.Http.Features;

namespace AgentIM.Uploads;

/// <summary>
/// <c>POST /api/upload</c>, <c>POST /api/upload/avatar</c> (rest-api.md §9) and <c>GET /uploads/*</c> (§9.1).
/// Files are streamed to disk and checked by their bytes; downloads carry headers that keep a browser from ever
/// running one (nosniff, a sandboxing CSP, and <c>attachment</c> for everything but a checked image).
/// </summary>
public static class UploadsEndpoints
{
    /// <summary>Largest avatar (rest-api.md #65).</summary>
    public const long AvatarMaxBytes = 2 * 1024 * 1024;

    /// <summary>The contract's body limit for upload routes (rest-api.md §0.4); raised when upload.maxFileSize needs more.</summary>
    public const long BodyLimitBytes = 12 * 1024 * 1024;

    // Stable: the contract's download headers (rest-api.md §9.1).
    public const string DownloadPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    // Room for the multipart boundaries and part headers around the file itself.
    private const long MultipartOverhead = 64 * 1024;

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/upload").RequireBearer();
        group.MapPost("/", UploadAsync);
        group.MapPost("/avatar", UploadAvatarAsync);
        app.MapMethods("/uploads/{**path}", [HttpMethods.Get, HttpMethods.Head], DownloadAsync);
        return app;
    }

    public static IServiceCollection AddUploads(this IServiceCollection services)
    {
        services.AddSingleton<UploadStorage>();
        services.AddSingleton<UploadReceiver>();
        services.AddSingleton<UploadStore>();
        services.AddHostedService<OrphanUploadSweeper>();
        return services;
    }

    private static async Task<IResult> UploadAsync(
        HttpContext context,
        RuntimeSettings settings,
        UploadReceiver receiver,
        UploadStore store,
        UploadStorage storage,
        HubMetrics metrics,
        AuditLog audit,
        ILogger<UploadReceiver> logger,
        CancellationToken cancellationToken)
    {
        var maxBytes = (await settings.GetAsync(cancellationToken)).MaxFileSize;
        AllowBody(context, maxBytes);
        var id = UploadNames.NewId();
        var policy = new UploadPolicy(
            maxBytes, ImagesOnly: false, UploadErrors.TooLarge(maxBytes), UploadErrors.NotAllowed, t => id + t.Extension);
        var (file, refusal) = await receiver.ReceiveAsync(context.Request, policy, cancellationToken);
        if (refusal is not null)
        {
            return Refused(refusal, metrics, logger);
        }

        var url = UploadStorage.UrlPrefix + file!.StoredName;
        try
        {
            await store.InsertAsync(
                id, file.DisplayName, file.Type.MimeType, file.Size, url, context.Caller().UserId, Clock.UtcNow(), cancellationToken);
        }
        catch
        {
            storage.TryDelete(storage.PathOf(file.StoredName));
            throw;
        }

        metrics.UploadStored(file.Size);
        UploadsLog.Stored(logger, id, file.Size);
        var metadata = new AuditMetadata().Add("filename", file.DisplayName).Add("mimeType", file.Type.MimeType).Add("size", file.Size);
        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.FileUpload, id, AuditActions.FileTarget, metadata, cancellationToken);
        return Api.Ok(new UploadDto(id, file.DisplayName, file.Type.MimeType, file.Size, url), UploadsJson.Default.ApiOkUploadDto);
    }

    private static async Task<IResult> UploadAvatarAsync(
        HttpContext context,
        UploadReceiver receiver,
        UploadStore store,
        UploadStorage storage,
        HubMetrics metrics,
        ILogger<UploadReceiver> logger,
        CancellationToken cancellationToken)
    {
        var userId = context.Caller().UserId;
        var policy = new UploadPolicy(
            AvatarMaxBytes,
            ImagesOnly: true,
            UploadErrors.AvatarTooLarge,
            _ => UploadErrors.AvatarType,
            t => $"{UploadStorage.AvatarPrefix(userId)}{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}{t.Extension}");
        var (file, refusal) = await receiver.ReceiveAsync(context.Request, policy, cancellationToken);
        if (refusal is not null)
        {
            return Refused(refusal, metrics, logger);
        }

        var url = UploadStorage.UrlPrefix + file!.StoredName;
        bool updated;
        try
        {
            updated = await store.SetAvatarAsync(userId, url, Clock.UtcNow(), cancellationToken);
        }
        catch
        {
            storage.TryDelete(storage.PathOf(file.StoredName));
            throw;
        }

        if (!updated)
        {
            storage.TryDelete(storage.PathOf(file.StoredName));
            return Api.NotFound("User not found");
        }

        storage.DeleteAvatars(userId, keep: file.StoredName);
        metrics.UploadStored(file.Size);
        return Api.Ok(new AvatarDto(url), UploadsJson.Default.ApiOkAvatarDto);
    }

    /// <summary>
    /// Any authenticated user may fetch any file (rest-api.md §9.1, behaviour.md §15.5), with the access token in
    /// the <c>Authorization</c> header or, for the web client's image tags, in <c>?token=</c>. What the file is
    /// served as is decided by its bytes and the kind it was checked as when stored; only a checked image is inline.
    /// </summary>
    private static async Task<IResult> DownloadAsync(
        HttpContext context,
        Authenticator authenticator,
        UploadStorage storage,
        UploadStore store,
        HubMetrics metrics,
        CancellationToken cancellationToken)
    {
        if (Authenticate(context, authenticator) is { } problem)
        {
            return problem;
        }

        var relative = (context.Request.Path.Value ?? "")[UploadStorage.UrlPrefix.Length..];
        if (storage.ResolveServed(relative) is not { } path)
        {
            return Api.NotFound(UploadErrors.FileNotFound);
        }

        var name = Path.GetFileName(path);
        StoredUpload? row = null;
        if (!relative.Contains('/') && UploadNames.TryGetUploadId(name, out var id))
        {
            row = await store.FindAsync(id, UploadStorage.UrlPrefix + relative, cancellationToken);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Removed (message deleted, orphan swept) between the lookup and the open.
            return Api.NotFound(UploadErrors.FileNotFound);
        }

        var head = new byte[UploadTypes.SniffLength];
        var headLength = RandomAccess.Read(stream.SafeFileHandle, head, 0);
        var sniffed = UploadTypes.Sniff(head.AsSpan(0, headLength));
        var storedKind = row is not null ? UploadTypes.Find(row.MimeType)?.Kind : AvatarKind(name);
        var matches = sniffed is not null && sniffed == storedKind;
        var contentType = matches
            ? UploadTypes.ServedType(sniffed, storedAsText: false)
            : UploadTypes.ServedType(null, storedAsText: sniffed is null && storedKind == ContentKind.Text);
        var inline = matches && UploadTypes.IsImage(sniffed!.Value);

        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = DownloadPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentDisposition = UploadNames.ContentDisposition(inline, row?.Filename ?? name);
        headers.CacheControl = "private, max-age=3600";
        metrics.FileDownloaded(stream.Length);
        return Results.File(stream, contentType, enableRangeProcessing: true);
    }

    /// <summary>An avatar's kind from the extension the hub gave it after checking its bytes.</summary>
    private static ContentKind? AvatarKind(string name) =>
        name.StartsWith("avatar_", StringComparison.Ordinal) ? UploadTypes.FindImageByExtension(Path.GetExtension(name)) : null;

    private static IResult? Authenticate(HttpContext context, Authenticator authenticator)
    {
        var header = context.Request.Headers.Authorization.ToString();
        string? token = null;
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (context.Request.Query.TryGetValue("token", out var query) && query.ToString().Length > 0)
        {
            token = query.ToString();
        }

        if (token is null)
        {
            return Api.Error(401, Api.Unauthorized);
        }

        var check = authenticator.Check(token);
        return check.Claims is not null
            ? null
            : Api.Error(401, check.Error == Authenticator.Revoked ? "Token has been revoked" : check.Error!);
    }

    /// <summary>Lets an upload body be as large as the file limit plus its multipart framing, never below the contract's 12 MiB.</summary>
    private static void AllowBody(HttpContext context, long maxFileBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = Math.Max(BodyLimitBytes, maxFileBytes + MultipartOverhead);
        }
    }

    private static IResult Refused(UploadRefusal refusal, HubMetrics metrics, ILogger logger)
    {
        metrics.UploadRefused();
        UploadsLog.Refused(logger, refusal.Status, refusal.Error);
        return Api.Error(refusal.Status, refusal.Error);
    }
}
