namespace AgentIM.Cli;

/// <summary>The probe could not go on (the hub refused a step, or the URL is not loopback); the message says which.</summary>
public sealed class CapacityProbeException(string message) : Exception(message);
