"""Identity records in the admin: read-only, since the audit is append-only and confirmations
are made and revoked through their actions (with their audit rows), never by editing.

No list shows personal data: users appear by their id only, never by name, e-mail or phone;
no IIN digits, names, addresses or hashes are listed or searchable."""

from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import (
    EdsChallenge,
    EdsVerification,
    IdentityAuditEntry,
    IdentityBinding,
    IdentityConfirmation,
    InPersonCode,
)


@admin.register(IdentityConfirmation)
class IdentityConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "method", "area", "confirmed_at", "expires_at",
                    "revoked_at")
    list_filter = ("method",)
    fields = ("user_id", "method", "confirmed_at", "expires_at", "revoked_at",
              "eds_verification_id", "operator_id", "area", "document_type")
    readonly_fields = fields


@admin.register(EdsVerification)
class EdsVerificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "user_id", "result", "failure_code", "algorithm",
                    "revocation_method")
    list_filter = ("result", "failure_code", "algorithm")
    search_fields = ("cert_serial_hex",)
    fields = ("created_at", "user_id", "challenge_id", "result", "failure_code", "cms_sha256",
              "cert_sha256", "cert_serial_hex", "issuer_dn", "algorithm", "revocation_method",
              "revocation_evidence")
    readonly_fields = fields


@admin.register(IdentityAuditEntry)
class IdentityAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "event", "actor_id", "subject_user_id", "target",
                    "area", "detail")
    list_filter = ("event",)
    search_fields = ("target",)
    fields = ("created_at", "event", "actor_id", "subject_user_id", "confirmation_id",
              "verification_id", "target", "area", "fields", "detail")
    readonly_fields = fields


@admin.register(EdsChallenge)
class EdsChallengeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user_id", "purpose", "target", "expires_at", "used_at",
                    "attempts")
    list_filter = ("purpose",)
    fields = ("id", "user_id", "purpose", "target", "created_at", "expires_at", "used_at",
              "attempts")
    readonly_fields = fields


@admin.register(IdentityBinding)
class IdentityBindingAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "bound_at")
    fields = ("user_id", "bound_at")
    readonly_fields = fields


@admin.register(InPersonCode)
class InPersonCodeAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "created_at", "expires_at", "used_at", "used_by_id")
    fields = list_display
    readonly_fields = fields


