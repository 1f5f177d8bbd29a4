namespace AgentIM.Tests.Gateway;

/// <summary>
/// A stand-in for the <c>claude</c> CLI in its streaming mode (<c>--input-format stream-json --output-format
/// stream-json</c>): a long-lived process that answers the SDK's <c>initialize</c> control request, reads user turns as
/// JSON lines and ends each with a <c>result</c> line. Its session is <c>sess-PID</c>, or the one given to
/// <c>--resume</c> (<c>broken</c> fails as an expired session does). Words in the prompt pick a behaviour:
/// <c>needs-approval</c> asks <c>can_use_tool</c> for Bash and reports the answer, <c>list-files</c> shows thinking,
/// tool use and a tool result, <c>sleep-forever</c> writes its pid to <c>fake-claude.pid</c> in its working directory and hangs,
/// <c>fail-turn</c> ends the turn with an error result. Every normal turn ends with the text
/// <c>pid=P resume=R turn=N mode=M</c>.
/// </summary>
public static class FakeClaude
{
    public const string Script = """
        resume=none
        mode=none
        while [ $# -gt 0 ]; do
          case "$1" in
            --resume) resume=$2; shift ;;
            --permission-mode) mode=$2; shift ;;
          esac
          shift
        done
        if [ "$resume" = none ]; then session="sess-$$"; else session=$resume; fi
        if [ "$resume" = broken ]; then echo "No conversation found with session ID: broken" >&2; exit 1; fi
        turn=0
        say() { printf '{"type":"assistant","message":{"content":[{"type":"text","text":"%s"}]},"session_id":"%s"}\n' "$1" "$session"; }
        while IFS= read -r line; do
          case "$line" in
            *'"subtype":"initialize"'*)
              id=$(printf '%s' "$line" | sed 's/.*"request_id":"\([^"]*\)".*/\1/')
              printf '{"type":"control_response","response":{"subtype":"success","request_id":"%s","response":{}}}\n' "$id"
              continue ;;
            *'"type":"user"'*) ;;
            *) continue ;;
          esac
          turn=$((turn + 1))
          echo "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"$session\",\"model\":\"fake\"}"
          case "$line" in
            *needs-approval*)
              printf '%s%s\n' '{"type":"control_request","request_id":"perm-'"$turn"'","request":{"subtype":"can_use_tool",' \
                '"tool_name":"Bash","input":{"command":"rm -rf build"},"permission_suggestions":[]}}'
              while IFS= read -r answer; do
                case "$answer" in *'"perm-'"$turn"'"'*) break ;; esac
              done
              case "$answer" in
                *'"behavior":"allow"'*)
                  printf '%s%s\n' '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_9","name":"Bash",' \
                    '"input":{"command":"rm -rf build"}}]},"session_id":"'"$session"'"}'
                  say "approved. " ;;
                *)
                  why=$(printf '%s' "$answer" | sed 's/.*"message":"\([^"]*\)".*/\1/')
                  say "denied: $why. " ;;
              esac ;;
            *list-files*)
              printf '%s%s\n' '{"type":"assistant","message":{"content":[{"type":"thinking","thinking":"pondering"},' \
                '{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},"session_id":"'"$session"'"}'
              printf '%s%s\n' '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_1",' \
                '"content":"file.txt"}]},"session_id":"'"$session"'"}' ;;
            *sleep-forever*)
              say "working"
              echo $$ > fake-claude.pid
              sleep 300 ;;
            *fail-turn*)
              echo "{\"type\":\"result\",\"subtype\":\"error_max_turns\",\"is_error\":true,\"session_id\":\"$session\"}"
              continue ;;
          esac
          say "pid=$$ resume=$resume turn=$turn mode=$mode"
          printf '{"type":"result","subtype":"success","is_error":false,"result":"x","session_id":"%s"}\n' "$session"
        done
        """;
}
