using AgentIM.Cli;

return await CommandLine.Build().Parse(args).InvokeAsync();
