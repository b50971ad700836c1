using System.Text.Json.Nodes;

namespace VexaService.Gateway.Docs;

/// <summary>
/// What the gateway itself adds to the merged documents: the title, the key each API takes, the WebSocket protocol at
/// <c>/ws</c> (an OpenAPI document cannot describe frames, so its description does) and the webhooks we send.
/// </summary>
public static class GatewayApiDescription
{
    public static JsonObject User() => JsonNode.Parse(UserJson)!.AsObject();

    public static JsonObject Admin() => JsonNode.Parse(AdminJson)!.AsObject();

    private const string UserJson = """
    {
      "openapi": "3.1.1",
      "info": {
        "title": "Vexa API",
        "version": "1.0",
        "description": "Send bots to Google Meet, Microsoft Teams and Zoom meetings and read their transcripts, live or after the meeting. Wire-compatible with Vexa's API: the same paths, headers, bodies and status codes. Every request takes your API key in the X-API-Key header. Errors are JSON: {\"detail\": \"...\"}, and for invalid input (422) {\"detail\": [{\"loc\", \"msg\", \"type\"}]}. Too many requests: 429 with Retry-After."
      },
      "security": [ { "ApiKey": [] } ],
      "tags": [
        { "name": "Bots", "description": "Send, list, reconfigure and stop meeting bots" },
        { "name": "Meetings", "description": "Your meetings, their data, and deletion" },
        { "name": "Transcripts", "description": "A meeting's transcript" },
        { "name": "Live", "description": "Live transcripts over WebSocket" },
        { "name": "User", "description": "Your webhook and its deliveries" }
      ],
      "paths": {
        "/ws": {
          "get": {
            "tags": [ "Live" ],
            "operationId": "LiveTranscripts",
            "summary": "Live transcripts over WebSocket (Vexa's /ws protocol)",
            "description": "Open a WebSocket at /ws with your key in X-API-Key or ?api_key=. Load the transcript with GET /transcripts/{platform}/{native_meeting_id} first, then apply the frames as they arrive.\n\nClient frames:\n- {\"action\": \"subscribe\", \"meetings\": [{\"platform\": \"google_meet\", \"native_id\": \"abc-defg-hij\"}]} answered {\"type\": \"subscribed\", \"meetings\": [...]}\n- {\"action\": \"unsubscribe\", \"meetings\": [...]} answered {\"type\": \"unsubscribed\", \"meetings\": [...]}\n- {\"action\": \"ping\"} answered {\"type\": \"pong\"}\n\nServer frames: transcript.mutable (segments still changing; upsert by start), transcript.finalized, meeting.status (payload.status), each {\"type\", \"meeting\": {\"platform\", \"native_id\"}, \"payload\", \"ts\"}, for your own meetings only.\n\nErrors are frames {\"type\": \"error\", \"error\": ...}: invalid_json, unknown_action, invalid_subscribe_payload (with details; a meeting you do not have is \"meetings[i] not authorized or not found for user\"), upstream_reconnected (frames may have been missed: reload the transcript), authorization_service_error (status 503: we could not check; a subscribe takes nothing, try again; at connect, close 1011). No key or an unknown key: missing_api_key / invalid_api_key and close 4401; a key deleted or expired while connected: close 4401 within seconds. Too many sockets for one key, or a client that does not read: close 4429. A gateway that stops (a restart, a deploy): close 1001; connect and subscribe again.",
            "parameters": [
              { "name": "api_key", "in": "query", "required": false, "description": "Your API key, for clients that cannot set headers (browsers)", "schema": { "type": "string" } }
            ],
            "responses": {
              "101": { "description": "Switching Protocols: the socket is open" },
              "400": { "description": "Not a WebSocket request", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } } }
            }
          }
        }
      },
      "webhooks": {
        "meeting.completed": {
          "post": {
            "summary": "A meeting ended (completed or failed)",
            "description": "Sent to your webhook URL (PUT /user/webhook) unless you chose events without it: the meeting as GET /meetings shows it. Signed when you set a webhook_secret (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature). Retried with backoff until your endpoint answers 2xx; every attempt of one event has the same webhook-id. See GET /user/webhook/deliveries.",
            "parameters": [ { "$ref": "#/components/parameters/WebhookId" }, { "$ref": "#/components/parameters/WebhookTimestamp" }, { "$ref": "#/components/parameters/WebhookSignature" } ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/MeetingResponse" } } } },
            "responses": { "200": { "description": "Any 2xx: delivered" } }
          }
        },
        "meeting.status_change": {
          "post": {
            "summary": "A meeting's status changed (when you chose the event)",
            "description": "Sent for every change of status, in order, once each, when your webhook's events include meeting.status_change.",
            "parameters": [ { "$ref": "#/components/parameters/WebhookId" }, { "$ref": "#/components/parameters/WebhookTimestamp" }, { "$ref": "#/components/parameters/WebhookSignature" } ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/StatusChangeEvent" } } } },
            "responses": { "200": { "description": "Any 2xx: delivered" } }
          }
        },
        "webhook.test": {
          "post": {
            "summary": "A test event (POST /user/webhook/test)",
            "parameters": [ { "$ref": "#/components/parameters/WebhookId" }, { "$ref": "#/components/parameters/WebhookTimestamp" }, { "$ref": "#/components/parameters/WebhookSignature" } ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TestEvent" } } } },
            "responses": { "200": { "description": "Any 2xx: delivered" } }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "ApiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "Your API key (from your provider's admin)" }
        },
        "parameters": {
          "WebhookId": { "name": "webhook-id", "in": "header", "required": true, "description": "The event's id, the same for every attempt", "schema": { "type": "string" } },
          "WebhookTimestamp": { "name": "webhook-timestamp", "in": "header", "required": false, "description": "Unix seconds of this attempt (signed deliveries)", "schema": { "type": "string" } },
          "WebhookSignature": { "name": "webhook-signature", "in": "header", "required": false, "description": "v1,<base64 HMAC-SHA256 of \"id.timestamp.body\"> with your webhook_secret (signed deliveries)", "schema": { "type": "string" } }
        },
        "schemas": {
          "StatusChangeEvent": {
            "type": "object",
            "required": [ "event_type", "meeting", "status_change" ],
            "properties": {
              "event_type": { "type": "string", "const": "meeting.status_change" },
              "meeting": { "$ref": "#/components/schemas/MeetingResponse" },
              "status_change": {
                "type": "object",
                "properties": {
                  "from": { "type": "string" },
                  "to": { "type": "string" },
                  "reason": { "type": [ "null", "string" ] },
                  "timestamp": { "type": "string", "format": "date-time" },
                  "transition_source": { "type": "string" }
                }
              }
            }
          },
          "TestEvent": {
            "type": "object",
            "properties": {
              "event_type": { "type": "string", "const": "webhook.test" },
              "user_id": { "type": "integer", "format": "int64" },
              "timestamp": { "type": "string", "format": "date-time" }
            }
          }
        }
      }
    }
    """;

    private const string AdminJson = """
    {
      "openapi": "3.1.1",
      "info": {
        "title": "Vexa admin API",
        "version": "1.0",
        "description": "Users, their API keys and meetings, for the operator. Every request takes the admin key in the X-Admin-API-Key header; a wrong key is 403, and repeated failures from one address are refused with 429."
      },
      "security": [ { "AdminKey": [] } ],
      "tags": [ { "name": "Admin", "description": "Users, keys and meetings" } ],
      "paths": {},
      "components": {
        "securitySchemes": {
          "AdminKey": { "type": "apiKey", "in": "header", "name": "X-Admin-API-Key", "description": "The operator's admin key (AppHost parameter admin-api-key)" }
        }
      }
    }
    """;
}
