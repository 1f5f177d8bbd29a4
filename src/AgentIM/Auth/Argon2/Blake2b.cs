using System.Buffers.Binary;
using System.Numerics;

namespace AgentIM.Auth.Argon2;

/// <summary>
/// BLAKE2b without a key (RFC 7693), the hash Argon2 is built on. Whole inputs only: Argon2 never streams into it.
/// </summary>
internal static class Blake2b
{
    public const int MaxOutputBytes = 64;
    private const int BlockBytes = 128;

    private static ReadOnlySpan<ulong> InitialVector =>
    [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ];

    // The message schedule of the twelve rounds (rounds 10 and 11 repeat rounds 0 and 1).
    private static ReadOnlySpan<byte> Sigma =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    ];

    /// <summary>Hashes <paramref name="input"/> into all of <paramref name="output"/> (1 to 64 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length is < 1 or > MaxOutputBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(output), "BLAKE2b gives 1 to 64 bytes");
        }

        Span<ulong> state = stackalloc ulong[8];
        InitialVector.CopyTo(state);
        state[0] ^= 0x01010000UL ^ (ulong)output.Length;

        Span<byte> last = stackalloc byte[BlockBytes];
        ulong counter = 0;
        while (input.Length > BlockBytes)
        {
            counter += BlockBytes;
            Compress(state, input[..BlockBytes], counter, final: false);
            input = input[BlockBytes..];
        }

        // The final block is zero-padded; an empty input still compresses one block of zeros.
        last.Clear();
        input.CopyTo(last);
        counter += (ulong)input.Length;
        Compress(state, last, counter, final: true);

        Span<byte> full = stackalloc byte[MaxOutputBytes];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full[(i * 8)..], state[i]);
        }

        full[..output.Length].CopyTo(output);
    }

    private static void Compress(Span<ulong> state, ReadOnlySpan<byte> block, ulong counter, bool final)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block[(i * 8)..]);
        }

        Span<ulong> v = stackalloc ulong[16];
        state.CopyTo(v);
        InitialVector.CopyTo(v[8..]);
        v[12] ^= counter;
        if (final)
        {
            v[14] = ~v[14];
        }

        for (var round = 0; round < 12; round++)
        {
            var s = Sigma.Slice(round * 16, 16);
            Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }

        for (var i = 0; i < 8; i++)
        {
            state[i] ^= v[i] ^ v[i + 8];
        }
    }

    private static void Mix(Span<ulong> v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] += v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 24);
        v[a] += v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 63);
    }
}
