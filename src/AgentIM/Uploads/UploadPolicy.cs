namespace AgentIM.Uploads;

/// <summary>What one upload route accepts: its size limit, its types and its error texts (rest-api.md §9).</summary>
public sealed record UploadPolicy(
    long MaxBytes,
    bool ImagesOnly,
    string TooLargeError,
    Func<string, string> NotAllowedError,
    Func<AllowedType, string> StoredName);

/// <summary>Why an upload was refused: the HTTP status and the contract's error text.</summary>
public sealed record UploadRefusal(int Status, string Error);

/// <summary>A file received, checked and renamed into place.</summary>
public sealed record ReceivedFile(string StoredName, string DisplayName, AllowedType Type, long Size);
