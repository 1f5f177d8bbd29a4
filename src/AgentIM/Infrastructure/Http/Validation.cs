namespace AgentIM.Infrastructure.Http;

/// <summary>
/// Collects field errors in the contract's shape. Messages are the validator defaults the web client shows
/// as they are, or i18n keys it translates (rest-api.md §0.6).
/// </summary>
public sealed class Validation
{
    private readonly List<FieldError> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public IReadOnlyList<FieldError> Errors => _errors;

    public Validation Add(string field, string message)
    {
        _errors.Add(new FieldError(field, message));
        return this;
    }

    /// <summary>A required string of <paramref name="min"/>–<paramref name="max"/> UTF-16 units.</summary>
    public bool RequiredString(string field, string? value, int min, int max)
    {
        if (value is null)
        {
            Add(field, "Required");
            return false;
        }

        return OptionalString(field, value, min, max);
    }

    public bool OptionalString(string field, string? value, int min, int max)
    {
        if (value is null)
        {
            return true;
        }

        if (value.Length < min)
        {
            Add(field, $"String must contain at least {min} character(s)");
            return false;
        }

        if (value.Length > max)
        {
            Add(field, $"String must contain at most {max} character(s)");
            return false;
        }

        return true;
    }

    public bool NotBlank(string field, string? value, string messageKey)
    {
        if (value is not null && value.Length > 0 && string.IsNullOrWhiteSpace(value))
        {
            Add(field, messageKey);
            return false;
        }

        return true;
    }

    public bool OneOf(string field, string? value, params string[] allowed)
    {
        if (value is null || allowed.Contains(value, StringComparer.Ordinal))
        {
            return true;
        }

        Add(field, $"Invalid enum value. Expected {string.Join(" | ", allowed.Select(a => $"'{a}'"))}, received '{value}'");
        return false;
    }

    /// <summary>The contract's password policy: 8–128 characters with a lower-case letter, an upper-case letter and a digit.</summary>
    public bool Password(string field, string? value)
    {
        if (value is null)
        {
            Add(field, "Required");
            return false;
        }

        var before = _errors.Count;
        if (value.Length < 8)
        {
            Add(field, "validation.passwordMinLength");
        }

        if (value.Length > 128)
        {
            Add(field, "validation.passwordMaxLength");
        }

        if (!value.Any(char.IsAsciiLetterLower))
        {
            Add(field, "validation.passwordLowercase");
        }

        if (!value.Any(char.IsAsciiLetterUpper))
        {
            Add(field, "validation.passwordUppercase");
        }

        if (!value.Any(char.IsAsciiDigit))
        {
            Add(field, "validation.passwordDigit");
        }

        return _errors.Count == before;
    }

    public IResult? ToProblem() => IsValid ? null : Api.Validation(_errors);
}
