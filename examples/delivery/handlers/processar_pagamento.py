# Solicitar pagamento (a função do documento): aprova o pagamento dentro do limite do cartão.

PRECOS = {"pizza margherita": 45.0, "pastel de queijo": 9.5, "açaí 500ml": 22.0}


def lambda_handler(event, context):
    pedido = event["pedido"]
    total = round(PRECOS[pedido["item"]] * pedido["quantidade"], 2)
    pagamento_sucesso = total <= pedido["pagamento"].get("limite", 0)
    if pagamento_sucesso:
        return {"pedido": pedido, "total": total, "status": "pagamento_confirmado"}
    else:
        return {"pedido": pedido, "total": total, "status": "pagamento_falhou"}
