using System.Buffers;
using System.Text.Unicode;

namespace AgentIM.Uploads;

/// <summary>
/// Checks an upload's bytes as they stream past, chunk by chunk, without holding the file. Text kinds must be valid
/// UTF-8 without NUL (rest-api.md §9). Images must not carry markup that a browser could run if it ever took the
/// file for a document (case B12's polyglots): markers of active content anywhere in the file, and document
/// markers in the first KiB where content sniffers look, refuse the upload.
/// </summary>
public sealed class ContentInspector : IDisposable
{
    /// <summary>Where sniffers look for a document: markers here refuse an image even when they are short.</summary>
    public const int HeadLength = 1024;

    private static readonly byte[][] ActiveMarkers =
        ["<script"u8.ToArray(), "<iframe"u8.ToArray(), "<object"u8.ToArray(), "<embed"u8.ToArray(), "javascript:"u8.ToArray()];

    private static readonly byte[][] HeadMarkers =
        ["<html"u8.ToArray(), "<svg"u8.ToArray(), "<!doctype"u8.ToArray(), "<body"u8.ToArray(), "<head"u8.ToArray(), "<?xml"u8.ToArray()];

    private const int Overlap = 16;

    private readonly ContentKind _kind;
    private readonly byte[] _carry = new byte[Overlap];
    private byte[]? _scratch;
    private int _carryLength;
    private long _seen;

    public ContentInspector(ContentKind kind) => _kind = kind;

    /// <summary>Looks at the next chunk; false as soon as the content is refused.</summary>
    public bool Feed(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return true;
        }

        var ok = _kind switch
        {
            ContentKind.Text => FeedText(chunk),
            _ when UploadTypes.IsImage(_kind) => FeedImage(chunk),
            _ => true,
        };
        _seen += chunk.Length;
        return ok;
    }

    /// <summary>The end of the file: false when it stops inside a UTF-8 sequence.</summary>
    public bool Finish() => _kind != ContentKind.Text || _carryLength == 0;

    public void Dispose()
    {
        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }

    private bool FeedText(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Contains((byte)0))
        {
            return false;
        }

        // First finish a sequence the previous chunk cut, then validate whole sequences and carry an unfinished tail.
        if (_carryLength > 0)
        {
            var need = SequenceLength(_carry[0]) - _carryLength;
            var take = Math.Min(need, chunk.Length);
            chunk[..take].CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += take;
            chunk = chunk[take..];
            if (_carryLength < SequenceLength(_carry[0]))
            {
                return true;
            }

            if (!Utf8.IsValid(_carry.AsSpan(0, _carryLength)))
            {
                return false;
            }

            _carryLength = 0;
        }

        var tail = IncompleteTailStart(chunk);
        if (!Utf8.IsValid(chunk[..tail]))
        {
            return false;
        }

        chunk[tail..].CopyTo(_carry);
        _carryLength = chunk.Length - tail;
        return true;
    }

    private bool FeedImage(ReadOnlySpan<byte> chunk)
    {
        // The markers are searched in lower-cased ASCII over the previous chunk's tail plus this chunk.
        var length = _carryLength + chunk.Length;
        if (_scratch is null || _scratch.Length < length)
        {
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 64 * 1024 + Overlap));
        }

        var window = _scratch.AsSpan(0, length);
        _carry.AsSpan(0, _carryLength).CopyTo(window);
        chunk.CopyTo(window[_carryLength..]);
        System.Text.Ascii.ToLowerInPlace(window, out _);
        foreach (var marker in ActiveMarkers)
        {
            if (window.IndexOf(marker) >= 0)
            {
                return false;
            }
        }

        var windowStart = _seen - _carryLength;
        if (windowStart < HeadLength)
        {
            var head = window[..(int)Math.Min(length, HeadLength - windowStart)];
            foreach (var marker in HeadMarkers)
            {
                if (head.IndexOf(marker) >= 0)
                {
                    return false;
                }
            }
        }

        _carryLength = Math.Min(Overlap - 1, length);
        window[(length - _carryLength)..].CopyTo(_carry);
        return true;
    }

    /// <summary>Where a UTF-8 sequence that the chunk's end cuts begins (the chunk's length when none is cut).</summary>
    private static int IncompleteTailStart(ReadOnlySpan<byte> chunk)
    {
        for (var i = chunk.Length - 1; i >= Math.Max(0, chunk.Length - 3); i--)
        {
            if ((chunk[i] & 0xC0) == 0x80)
            {
                continue;
            }

            return chunk.Length - i < SequenceLength(chunk[i]) ? i : chunk.Length;
        }

        return chunk.Length;
    }

    private static int SequenceLength(byte lead) => lead switch
    {
        >= 0xF0 => 4,
        >= 0xE0 => 3,
        >= 0xC0 => 2,
        _ => 1,
    };
}
