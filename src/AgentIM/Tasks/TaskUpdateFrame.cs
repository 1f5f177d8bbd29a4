using System.Text.Json.Serialization;

namespace AgentIM.Tasks;

/// <summary>A task was created or changed (websocket.md §5). The type string is protocol: stable, never renamed.</summary>
public sealed record TaskUpdateFrame(TaskDto Task)
{
    [JsonPropertyOrder(-1)] public string Type => "server:task_update";
}
