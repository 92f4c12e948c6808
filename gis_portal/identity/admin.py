"""Identity records in the admin: read-only, since the audit is append-only and confirmations
are made and revoked through their actions (with their audit rows), never by editing."""

from django.contrib import admin

from .models import EdsChallenge, EdsVerification, IdentityAuditEntry, IdentityConfirmation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdentityConfirmation)
class IdentityConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("user", "method", "iin_last4", "confirmed_at", "expires_at", "revoked_at",
                    "office")
    list_filter = ("method",)
    search_fields = ("user__username", "user__email", "user__phone", "iin_last4")
    exclude = ("iin_hash", "document_number_hash")


@admin.register(EdsVerification)
class EdsVerificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "result", "failure_code", "algorithm",
                    "revocation_method", "iin_last4")
    list_filter = ("result", "failure_code", "algorithm")
    search_fields = ("user__username", "user__email", "cert_serial_hex")
    exclude = ("cms_der", "signer_cert_der", "iin_hash")


@admin.register(IdentityAuditEntry)
class IdentityAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "actor", "subject_user", "target", "detail")
    list_filter = ("event",)
    search_fields = ("actor__username", "subject_user__username", "target")


@admin.register(EdsChallenge)
class EdsChallengeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "purpose", "target", "expires_at", "used_at",
                    "attempts")
    list_filter = ("purpose",)
    exclude = ("content",)
