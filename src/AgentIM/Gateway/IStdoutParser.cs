namespace AgentIM.Gateway;

/// <summary>
/// Turns a structured CLI's standard output, a line at a time, into chunks; after the process ends it knows the
/// reply's full text and whether the tool reported an error.
/// </summary>
public interface IStdoutParser
{
    public string? FullContent { get; }

    public string? Error { get; }

    public IEnumerable<AgentChunk> Parse(string line);
}
