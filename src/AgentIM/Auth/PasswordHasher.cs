using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AgentIM.Auth.Argon2;

namespace AgentIM.Auth;

/// <summary>
/// argon2id password hashes in the PHC string form (<c>$argon2id$v=19$m=…,t=…,p=…$salt$hash</c>).
/// New hashes use m = 19 MiB, t = 2, p = 1 (decisions.md); older hashes verify with the parameters they carry.
/// At most one hash per core runs at a time: each one holds 19 MiB, and an unbounded burst of logins must not
/// take the process's memory with it. That memory is mapped for the hash and unmapped after it (Argon2/BlockMemory),
/// so a login leaves no garbage behind on the managed heap.
/// </summary>
public sealed class PasswordHasher
{
    private const int MemoryKiB = 19 * 1024;
    private const int Iterations = 2;
    private const int Parallelism = 1;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Bounds for parameters read back from stored hashes, so a doctored row cannot pin the CPU or memory.
    private const int MaxMemoryKiB = 256 * 1024;
    private const int MaxIterations = 10;
    private const int MaxParallelism = 16;

    private readonly SemaphoreSlim _gate = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private readonly Lazy<Task<string>> _dummyHash;

    public PasswordHasher()
    {
        _dummyHash = new Lazy<Task<string>>(
            () => HashAsync(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), CancellationToken.None));
    }

    public async Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = await ComputeAsync(password, salt, MemoryKiB, Iterations, Parallelism, HashBytes, cancellationToken);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${B64(salt)}${B64(hash)}");
    }

    public async Task<bool> VerifyAsync(string password, string? encoded, CancellationToken cancellationToken)
    {
        if (encoded is null || !TryParse(encoded, out var memory, out var iterations, out var parallelism, out var salt, out var expected))
        {
            return false;
        }

        var actual = await ComputeAsync(password, salt, memory, iterations, parallelism, expected.Length, cancellationToken);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the same time as a real verification, so an unknown user answers as slowly as a wrong password.</summary>
    public async Task VerifyDummyAsync(string password, CancellationToken cancellationToken) =>
        await VerifyAsync(password, await _dummyHash.Value, cancellationToken);

    private async Task<byte[]> ComputeAsync(
        string password, byte[] salt, int memory, int iterations, int parallelism, int length, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() =>
            {
                var bytes = Encoding.UTF8.GetBytes(password);
                var tag = new byte[length];
                Argon2id.Hash(bytes, salt, memory, iterations, parallelism, tag);
                CryptographicOperations.ZeroMemory(bytes);
                return tag;
            }, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool TryParse(string encoded, out int memory, out int iterations, out int parallelism, out byte[] salt, out byte[] hash)
    {
        memory = iterations = parallelism = 0;
        salt = hash = [];
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        foreach (var setting in parts[3].Split(','))
        {
            var kv = setting.Split('=', 2);
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            switch (kv[0])
            {
                case "m": memory = n; break;
                case "t": iterations = n; break;
                case "p": parallelism = n; break;
                default: return false;
            }
        }

        if (memory is < 8 or > MaxMemoryKiB || iterations is < 1 or > MaxIterations || parallelism is < 1 or > MaxParallelism)
        {
            return false;
        }

        try
        {
            salt = FromB64(parts[4]);
            hash = FromB64(parts[5]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromB64(string text) => Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
}
