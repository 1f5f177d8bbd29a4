using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Bookmarks;

/// <summary>Source-generated JSON for /api/bookmarks bodies: camelCase, ISO-8601 UTC timestamps, the row's nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ApiOk<BookmarkDto>))]
[JsonSerializable(typeof(ApiOk<BookmarkPage>))]
[JsonSerializable(typeof(ApiOk<DeletedBookmark>))]
[JsonSerializable(typeof(CreateBookmarkRequest))]
internal sealed partial class BookmarksJson : JsonSerializerContext;
