from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityReport


class AccessibilityReportForm(forms.ModelForm):
    class Meta:
        model = AccessibilityReport
        fields = ["page", "description", "contact"]
        labels = {
            "page": _("Which page or function is it about? (optional)"),
            "description": _("Describe the problem"),
            "contact": _("E-mail or phone if you want an answer (optional)"),
        }
        error_messages = {"description": {"required": _("Describe the problem you found")}}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
