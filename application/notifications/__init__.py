"""The notifications module's application layer: rules as event handlers, the in-app API's
use cases, the daily maintenance-due check and the notification mail."""
