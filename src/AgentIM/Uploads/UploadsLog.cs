namespace AgentIM.Uploads;

/// <summary>Log events of the uploads feature (event ids 5000–5999; names are frozen once shipped).</summary>
internal static partial class UploadsLog
{
    [LoggerMessage(EventId = 5001, EventName = "UploadStored", Level = LogLevel.Debug,
        Message = "Upload {UploadId} stored ({Size} bytes)")]
    public static partial void Stored(ILogger logger, string uploadId, long size);

    [LoggerMessage(EventId = 5002, EventName = "UploadRefused", Level = LogLevel.Debug,
        Message = "Upload refused with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 5003, EventName = "UploadStorageFull", Level = LogLevel.Warning,
        Message = "No space left in the upload directory {UploadDir}; the partial file was removed")]
    public static partial void StorageFull(ILogger logger, string uploadDir);

    [LoggerMessage(EventId = 5004, EventName = "UploadFileNotRemoved", Level = LogLevel.Warning,
        Message = "An upload file could not be removed")]
    public static partial void FileNotRemoved(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, EventName = "OrphanUploadsRemoved", Level = LogLevel.Information,
        Message = "Removed {Count} uploads never attached to a message and {TempCount} partial files")]
    public static partial void OrphansRemoved(ILogger logger, int count, int tempCount);

    [LoggerMessage(EventId = 5006, EventName = "OrphanSweepFailed", Level = LogLevel.Warning,
        Message = "The orphan upload sweep failed; it runs again at the next interval")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
