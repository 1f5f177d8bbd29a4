using System.Buffers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AgentIM.Uploads;

/// <summary>
/// Streams the <c>file</c> part of a multipart body to disk: section by section from the request body (never
/// buffered whole, never through the form binder), checked as it passes, written to a hidden partial file inside
/// UPLOAD_DIR and renamed to its stored name only when complete and accepted. Whatever goes wrong (too large,
/// wrong bytes, client gone, disk full) the partial file is removed, so a stored name always holds a whole file.
/// </summary>
public sealed class UploadReceiver(UploadStorage storage, ILogger<UploadReceiver> logger)
{
    private const int ChunkSize = 64 * 1024;

    // errno values for a full disk and an exhausted quota: .NET puts the raw errno in IOException.HResult on Unix.
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;

    public async Task<(ReceivedFile? File, UploadRefusal? Refusal)> ReceiveAsync(
        HttpRequest request,
        UploadPolicy policy,
        CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(400, UploadErrors.NoFile);
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary);
        if (StringSegment.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            return Refuse(400, UploadErrors.NoFile);
        }

        var reader = new MultipartReader(boundary.ToString(), request.Body)
        {
            HeadersCountLimit = 16,
            HeadersLengthLimit = 16 * 1024,
            // The size limit is ours (policy.MaxBytes) and Kestrel's body limit; no section is ever buffered.
            BodyLengthLimit = null,
        };

        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.IsFileDisposition()
                    && HeaderUtilities.RemoveQuotes(disposition.Name).Equals("file", StringComparison.Ordinal))
                {
                    return await StoreAsync(section, disposition, policy, cancellationToken);
                }

                await section.Body.DrainAsync(cancellationToken);
            }

            return Refuse(400, UploadErrors.NoFile);
        }
        catch (InvalidDataException)
        {
            // A malformed multipart body (bad boundary, oversized part headers): there is no file to take from it.
            return Refuse(400, UploadErrors.NoFile);
        }
        catch (IOException e) when (!IsDiskFull(e) && !cancellationToken.IsCancellationRequested)
        {
            // The body ended before its closing boundary (truncated, or not multipart at all): the client's mistake,
            // not ours. A part already begun was removed on the way out of StoreAsync.
            return Refuse(400, UploadErrors.NoFile);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refuse(400, policy.TooLargeError);
        }
    }

    private async Task<(ReceivedFile?, UploadRefusal?)> StoreAsync(
        MultipartSection section,
        ContentDispositionHeaderValue disposition,
        UploadPolicy policy,
        CancellationToken cancellationToken)
    {
        var declared = UploadTypes.Normalize(section.ContentType);
        var type = UploadTypes.Find(declared);
        if (type is null || (policy.ImagesOnly && !UploadTypes.IsImage(type.Kind)))
        {
            return Refuse(400, policy.NotAllowedError(declared));
        }

        var original = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : UnescapeQuotedPairs(disposition.FileName.Value);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        string? temp = null;
        try
        {
            // The magic number is checked before anything touches the disk.
            var filled = await FillAsync(section.Body, buffer.AsMemory(0, ChunkSize), UploadTypes.SniffLength, cancellationToken);
            if (filled == 0)
            {
                return Refuse(400, UploadErrors.NoFile);
            }

            if (!UploadTypes.HeadMatches(type.Kind, buffer.AsSpan(0, filled)))
            {
                return Refuse(400, UploadErrors.ContentMismatch);
            }

            using var inspector = new ContentInspector(type.Kind);
            temp = storage.NewTempPath();
            long size = 0;
            var full = false;
            await using (var file = OpenTemp(temp))
            {
                while (filled > 0)
                {
                    size += filled;
                    if (size > policy.MaxBytes)
                    {
                        return Refuse(400, policy.TooLargeError);
                    }

                    if (!inspector.Feed(buffer.AsSpan(0, filled)))
                    {
                        return Refuse(400, UploadErrors.ContentMismatch);
                    }

                    if (!await TryWriteAsync(file, buffer.AsMemory(0, filled), cancellationToken))
                    {
                        full = true;
                        break;
                    }

                    filled = await section.Body.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken);
                }

                if (!full && !inspector.Finish())
                {
                    return Refuse(400, UploadErrors.ContentMismatch);
                }

                // On disk before the rename, so a stored name never points at a file a crash could cut short.
                full = full || !TryFlushToDisk(file);
            }

            if (full)
            {
                UploadsLog.StorageFull(logger, storage.Root);
                return Refuse(StatusCodes.Status507InsufficientStorage, UploadErrors.StorageFull);
            }

            var storedName = policy.StoredName(type);
            File.Move(temp, storage.PathOf(storedName), overwrite: false);
            temp = null;
            return (new ReceivedFile(storedName, UploadNames.CleanDisplayName(original), type, size), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (temp is not null)
            {
                storage.TryDelete(temp);
            }
        }
    }

    /// <summary>
    /// curl writes a quote or backslash in a file name as a quoted-pair (<c>\"</c>, <c>\\</c>); the header parser keeps
    /// them escaped. Other backslashes are left alone: browsers send Windows paths with bare ones.
    /// </summary>
    private static string? UnescapeQuotedPairs(string? name) =>
        name is null || !name.Contains('\\', StringComparison.Ordinal)
            ? name
            : name.Replace("\\\\", "\\", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal);

    private static FileStream OpenTemp(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        // Chunks are already 64 KiB; a second buffer would only copy them again.
        BufferSize = 0,
    });

    private static async Task<bool> TryWriteAsync(FileStream file, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await file.WriteAsync(bytes, cancellationToken);
            return true;
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            return false;
        }
    }

    private static bool TryFlushToDisk(FileStream file)
    {
        try
        {
            file.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            return false;
        }
    }

    private static bool IsDiskFull(IOException e) => e.HResult is NoSpace or QuotaExceeded;

    /// <summary>Reads until <paramref name="atLeast"/> bytes are in or the part ends; returns how many were read.</summary>
    private static async Task<int> FillAsync(Stream body, Memory<byte> buffer, int atLeast, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < atLeast)
        {
            var read = await body.ReadAsync(buffer[filled..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private static (ReceivedFile?, UploadRefusal?) Refuse(int status, string error) => (null, new UploadRefusal(status, error));
}
