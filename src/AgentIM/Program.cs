using AgentIM.Cli;

return await CommandLine.RunAsync(args);
