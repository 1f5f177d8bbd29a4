namespace AgentIM.Uploads;

/// <summary>The answer to <c>POST /api/upload</c> (rest-api.md #64): an unlinked attachment.</summary>
public sealed record UploadDto(string Id, string Filename, string MimeType, long Size, string Url);

/// <summary>The answer to <c>POST /api/upload/avatar</c> (rest-api.md #65).</summary>
public sealed record AvatarDto(string AvatarUrl);
