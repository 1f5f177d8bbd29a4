namespace AgentIM.Gateway;

/// <summary>Where the agent host sends its frames: the hub link's bounded queue.</summary>
public interface IFrameSink
{
    public void Send(string frame, FramePriority priority);
}
