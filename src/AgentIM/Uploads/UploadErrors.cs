using System.Globalization;

namespace AgentIM.Uploads;

/// <summary>The upload routes' error texts. Stable: they are the contract's (rest-api.md §9) and clients show them.</summary>
public static class UploadErrors
{
    public const string NoFile = "No file provided";
    public const string ContentMismatch = "File content does not match declared type";
    public const string AvatarTooLarge = "Avatar too large. Maximum size is 2MB";
    public const string AvatarType = "Only JPEG, PNG, GIF and WebP images are allowed";
    public const string FileNotFound = "File not found";

    /// <summary>Ours: the disk under UPLOAD_DIR is full (nothing of the file is kept).</summary>
    public const string StorageFull = "Not enough storage space to save the file";

    public static string TooLarge(long maxBytes)
    {
        var megabytes = maxBytes / (1024.0 * 1024.0);
        return $"File too large. Maximum size is {megabytes.ToString("0.##", CultureInfo.InvariantCulture)}MB";
    }

    public static string NotAllowed(string declaredType) => $"File type \"{declaredType}\" is not allowed";
}
