using System.Runtime.InteropServices;

namespace AgentIM.Auth.Argon2;

/// <summary>
/// The memory one Argon2 computation fills (19 MiB for a login), mapped straight from the kernel and unmapped when
/// the hash is done. On the managed heap it would linger as garbage after every login and keep the process's
/// resident set high on a 1 GB machine; unmapped, it is back with the system the moment the hash returns.
/// The pages are zeroed by the kernel before they are mapped, and zeroed again here before they are given back.
/// </summary>
internal sealed unsafe class BlockMemory : IDisposable
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    private readonly nuint _bytes;
    private void* _address;

    public BlockMemory(int words)
    {
        _bytes = (nuint)words * sizeof(ulong);
        var address = Mmap(null, _bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (address == (void*)-1)
        {
            throw new OutOfMemoryException($"mmap of {_bytes} bytes for password hashing failed (errno {Marshal.GetLastPInvokeError()})");
        }

        _address = address;
        Words = words;
    }

    public int Words { get; }

    public Span<ulong> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address is null, this);
            return new Span<ulong>(_address, Words);
        }
    }

    public void Dispose()
    {
        if (_address is null)
        {
            return;
        }

        // The blocks are derived from the password: wipe them rather than trust the kernel's reuse of the pages.
        new Span<ulong>(_address, Words).Clear();
        _ = Munmap(_address, _bytes);
        _address = null;
    }

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int Munmap(void* address, nuint length);
}
