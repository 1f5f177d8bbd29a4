using System.Security.Cryptography;

namespace AgentIM.Infrastructure;

/// <summary>Server-generated identifiers: 21 characters of A–Z a–z 0–9 _ - (the contract's nanoid form).</summary>
public static class Ids
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    public static string New(int length = 21)
    {
        Span<byte> random = stackalloc byte[length];
        RandomNumberGenerator.Fill(random);
        return string.Create(length, random.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                // 64 symbols: the low six bits map uniformly.
                chars[i] = Alphabet[bytes[i] & 63];
            }
        });
    }

    /// <summary>The contract's path id rule: 1–30 characters of [A-Za-z0-9_-].</summary>
    public static bool IsValidPathId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 30)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
