from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError
from shequ.core.forms import TokenForm
from shequ.core.models import ApiToken
from shequ.core.services.tokens import token_create, token_revoke
from shequ.core.views.base import form_error


@login_required
def token_list(request):
    """My API tokens: create one (shown once), see when each expires, revoke."""
    form = TokenForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, plain = token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except DomainError as error:
            form_error(form, error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "core/token_list.html", {"form": form, "tokens": tokens, "plain": plain})


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("core:token_list")
